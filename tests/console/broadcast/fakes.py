"""A fake hub bridge for the broadcast page: the real bridge's signals, requests answered by
handlers the test sets, each answer delivered later on the GUI thread like the real one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from console.hub.bridge import HubReply
from services.db.models import SchoolType
from services.db.records import DistrictRecord, SchoolSummary

Handler = Callable[[dict[str, Any]], HubReply | tuple[bool, dict[str, Any]]]


class FakeHub(QObject):
    deliveriesChanged = Signal(object)
    snapshot = Signal(object)
    presenceChanged = Signal(object)
    _deliver = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.handlers: dict[str, Handler] = {}
        self._token = 0
        self._deliver.connect(lambda callback, reply: callback(reply), Qt.ConnectionType.QueuedConnection)

    def request(
        self,
        action: str,
        args: dict[str, Any] | None = None,
        on_reply: Callable[[HubReply], None] | None = None,
    ) -> int:
        self._token += 1
        args = dict(args or {})
        self.requests.append((action, args))
        handler = self.handlers.get(action)
        if handler is None:
            reply = HubReply(
                self._token, action, False, error_code="not_found", error=f"no handler for {action}"
            )
        else:
            answer = handler(args)
            if isinstance(answer, HubReply):
                reply = answer
            else:
                ok, result = answer
                reply = (
                    HubReply(self._token, action, ok, result)
                    if ok
                    else HubReply(
                        self._token,
                        action,
                        False,
                        dict(result),
                        str(result.get("error_code", "")),
                        str(result.get("error", "")),
                    )
                )
        if on_reply is not None:
            self._deliver.emit(on_reply, reply)
        return self._token

    def sent(self, action: str) -> list[dict[str, Any]]:
        return [args for name, args in self.requests if name == action]


DISTRICTS = (
    DistrictRecord(1, "370202", "市南区", "Shinan"),
    DistrictRecord(2, "370212", "崂山区", "Laoshan"),
    DistrictRecord(3, "370281", "胶州市", "Jiaozhou"),
)


def city(schools_per_district: int = 2) -> tuple[tuple[DistrictRecord, ...], list[SchoolSummary]]:
    schools = []
    for district in DISTRICTS:
        for i in range(schools_per_district):
            n = len(schools) + 1
            schools.append(
                SchoolSummary(
                    id=n,
                    code=f"QD{n:04d}",
                    name=f"{district.name}第{i + 1}小学",
                    district_id=district.id,
                    school_type=SchoolType.PRIMARY,
                    longitude=120.3,
                    latitude=36.1,
                    student_count=800,
                    is_pilot=False,
                )
            )
    return DISTRICTS, schools
