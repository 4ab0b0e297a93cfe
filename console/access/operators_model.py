"""The table of operator accounts behind the operators page.

Rows are the hub's `list_operators` records, read into plain `OperatorRecord`s; a record the
console cannot read is left out with a log line rather than breaking the table.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from console.access.login_dialog import format_clock
from console.access.role_names import role_name

log = logging.getLogger(__name__)

COLUMNS = ("username", "display_name", "role", "district", "state", "must_change")
STATE_COLORS = {"disabled": QColor("#7b8794"), "locked": QColor("#f5b82e")}

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class OperatorRecord:
    username: str
    display_name: str
    role: str
    district_code: str
    disabled: bool
    locked_until: float | None
    failed_logins: int
    must_change_password: bool
    created_at: float | None
    password_changed_at: float | None

    def is_locked(self, now: float) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def state(self, now: float) -> str:
        """'disabled', 'locked' or 'active' (a disabled account is disabled, locked or not)."""
        if self.disabled:
            return "disabled"
        return "locked" if self.is_locked(now) else "active"


def _optional_time(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def parse_operator(data: Mapping[str, Any]) -> OperatorRecord:
    """One operator from the hub's answer; ValueError when the user name or role is missing."""
    username = data.get("username")
    role = data.get("role")
    if not isinstance(username, str) or not username:
        raise ValueError("an operator record without a user name")
    if not isinstance(role, str) or not role:
        raise ValueError(f"operator {username} has no role")
    failed = data.get("failed_logins", 0)
    return OperatorRecord(
        username=username,
        display_name=str(data.get("display_name") or ""),
        role=role,
        district_code=str(data.get("district_code") or ""),
        disabled=bool(data.get("disabled", False)),
        locked_until=_optional_time(data.get("locked_until")),
        failed_logins=failed if isinstance(failed, int) and not isinstance(failed, bool) else 0,
        must_change_password=bool(data.get("must_change_password", False)),
        created_at=_optional_time(data.get("created_at")),
        password_changed_at=_optional_time(data.get("password_changed_at")),
    )


def parse_operators(items: object) -> list[OperatorRecord]:
    """The readable records of a `list_operators` answer (the others are logged and left out)."""
    if not isinstance(items, list):
        log.error("the hub's operator list is not a list: %s", type(items).__name__)
        return []
    records: list[OperatorRecord] = []
    for item in items:
        if not isinstance(item, Mapping):
            log.error("left out an operator record that is not a mapping: %r", item)
            continue
        try:
            records.append(parse_operator(item))
        except ValueError as exc:
            log.error("left out an unreadable operator record: %s", exc)
    return records


def state_text(record: OperatorRecord, now: float) -> str:
    state = record.state(now)
    if state == "disabled":
        return QCoreApplication.translate("OperatorsModel", "Disabled")
    if state == "locked" and record.locked_until is not None:
        return QCoreApplication.translate("OperatorsModel", "Locked until %1").replace(
            "%1", format_clock(record.locked_until)
        )
    return QCoreApplication.translate("OperatorsModel", "Active")


class OperatorsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self._rows: list[OperatorRecord] = []
        self._district_names: dict[str, str] = {}
        self._clock = clock

    # --- data in ---------------------------------------------------------------------------------
    def set_operators(self, records: Iterable[OperatorRecord]) -> None:
        self.beginResetModel()
        self._rows = sorted(records, key=lambda r: r.username)
        self.endResetModel()

    def set_district_names(self, names: Mapping[str, str]) -> None:
        self._district_names = dict(names)
        if self._rows:
            column = COLUMNS.index("district")
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    # --- data out --------------------------------------------------------------------------------
    def record(self, row: int) -> OperatorRecord:
        return self._rows[row]

    def row_of(self, username: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.username == username), -1)

    def district_name(self, code: str) -> str:
        if not code:
            return ""
        return self._district_names.get(code, code)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and column == "state":
            return STATE_COLORS.get(record.state(self._clock()))
        if role == Qt.ItemDataRole.ToolTipRole and column == "state" and record.failed_logins:
            return QCoreApplication.translate("OperatorsModel", "Failed logins in a row: %1").replace(
                "%1", str(record.failed_logins)
            )
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == "username":
            return record.username
        if column == "display_name":
            return record.display_name
        if column == "role":
            return role_name(record.role)
        if column == "district":
            return self.district_name(record.district_code) or "—"
        if column == "state":
            return state_text(record, self._clock())
        return QCoreApplication.translate("OperatorsModel", "Yes") if record.must_change_password else ""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            "username": QCoreApplication.translate("OperatorsModel", "User name"),
            "display_name": QCoreApplication.translate("OperatorsModel", "Display name"),
            "role": QCoreApplication.translate("OperatorsModel", "Role"),
            "district": QCoreApplication.translate("OperatorsModel", "District"),
            "state": QCoreApplication.translate("OperatorsModel", "State"),
            "must_change": QCoreApplication.translate("OperatorsModel", "Must change password"),
        }
        return titles[COLUMNS[section]]
