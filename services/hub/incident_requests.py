"""Console requests about incidents (docs/incidents.md, docs/protocol.md section 5).

The permission matrix has already been checked when a handler runs (working needs handle_alarms,
looking needs view). Working requests are decided on the socket thread in arrival order and
answered at once with the incident as it now is; every console sees the change in the same loop
round, and the database write follows. History and timelines are read from the database after
the pending changes are written, so they include everything decided before the request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access.roles import Permission, Role, may
from services.alarms import store
from services.alarms.catalog import UNKNOWN
from services.alarms.errors import IncidentError
from services.alarms.model import Incident
from services.alarms.views import incident_view
from services.db.access_models import Operator
from services.hub import enrollment
from services.hub.console_access import LoggedIn, check_school_visible
from services.hub.core import HubCore
from services.hub.errors import HubRequestError
from services.protocol.envelope import ErrorCode

if TYPE_CHECKING:
    from services.hub.console_api import ConsoleSession

Done = Callable[[Any, HubRequestError | None], None]
MAX_LOCATION = 256


class _Args(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class RaiseAlarmArgs(_Args):
    school: str
    alarm_type: str
    location: str
    note: str = ""


class IncidentArgs(_Args):
    incident_id: str


class TransferArgs(_Args):
    incident_id: str
    to: str


class StepArgs(_Args):
    incident_id: str
    step: str
    done: bool
    reason: str = ""


class NoteArgs(_Args):
    incident_id: str
    text: str


class ActionArgs(_Args):
    incident_id: str
    kind: Literal["call_110", "call_119", "call_principal", "broadcast", "live_voice", "other"]
    detail: str = ""


class ResolveArgs(_Args):
    incident_id: str
    outcome: str
    false_alarm: bool


class HistoryArgs(_Args):
    school: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 100


class IncidentRequests:
    def __init__(self, core: HubCore, sessions_of: Callable[[str], Sequence[ConsoleSession]]) -> None:
        self._core = core
        self._sessions_of = sessions_of

    def handlers(self) -> dict[str, Callable[[dict[str, Any], ConsoleSession, LoggedIn, Done], None]]:
        return {
            "raise_alarm": self.raise_alarm,
            "incident_ack": self._simple(lambda book, a, by, now: book.acknowledge(a.incident_id, by, now)),
            "incident_take": self._simple(lambda book, a, by, now: book.take(a.incident_id, by, now)),
            "incident_release": self._simple(lambda book, a, by, now: book.release(a.incident_id, by, now)),
            "incident_accept": self._simple(
                lambda book, a, by, now: book.accept_transfer(a.incident_id, by, now)
            ),
            "incident_decline": self._simple(
                lambda book, a, by, now: book.decline_transfer(a.incident_id, by, now)
            ),
            "incident_transfer": self.transfer,
            "incident_step": self._work(
                StepArgs,
                lambda book, a, by, now: book.set_step(a.incident_id, by, a.step, a.done, a.reason, now),
            ),
            "incident_note": self._work(
                NoteArgs, lambda book, a, by, now: book.add_note(a.incident_id, by, a.text, now)
            ),
            "incident_action": self._work(
                ActionArgs, lambda book, a, by, now: book.add_action(a.incident_id, by, a.kind, a.detail, now)
            ),
            "incident_resolve": self._work(
                ResolveArgs,
                lambda book, a, by, now: book.resolve(a.incident_id, by, a.outcome, a.false_alarm, now),
            ),
            "incident_history": self.history,
            "incident_timeline": self.timeline,
        }

    # --- working --------------------------------------------------------------------------
    def _simple(
        self, change: Callable[..., Incident]
    ) -> Callable[[dict[str, Any], Any, LoggedIn, Done], None]:
        return self._work(IncidentArgs, change)

    def _work(
        self, args_type: type[msgspec.Struct], change: Callable[..., Incident]
    ) -> Callable[[dict[str, Any], Any, LoggedIn, Done], None]:
        def handle(raw: dict[str, Any], _session: Any, login: LoggedIn, done: Done) -> None:
            args = _parse(raw, args_type)
            with _refusals():
                incident = change(self._core.incidents.book, args, login.username, time.time())
            done({"incident": incident_view(incident)}, None)

        return handle

    def raise_alarm(self, raw: dict[str, Any], _session: Any, login: LoggedIn, done: Done) -> None:
        args = _parse(raw, RaiseAlarmArgs)
        enrollment.check_school_code(args.school)
        catalog = self._core.incidents.book.catalog
        if args.alarm_type not in catalog or args.alarm_type == UNKNOWN:
            known = ", ".join(t for t in catalog.ids() if t != UNKNOWN)
            raise HubRequestError(ErrorCode.MALFORMED, f"alarm_type must be one of: {known}")
        location = args.location.strip()
        if not location or len(location) > MAX_LOCATION:
            raise HubRequestError(ErrorCode.MALFORMED, f"location must be 1-{MAX_LOCATION} characters")
        if not self._school_known(args.school):
            raise HubRequestError(ErrorCode.NOT_FOUND, f"no school {args.school}")
        with _refusals():
            incident = self._core.incidents.raise_alarm(
                args.school, args.alarm_type, location, login.username, time.time(), args.note.strip()
            )
        done({"incident_id": incident.incident_id, "incident": incident_view(incident)}, None)

    def _school_known(self, school: str) -> bool:
        core = self._core
        return school in core.school_districts or any(info.school == school for info in core.book.accepted())

    def transfer(self, raw: dict[str, Any], _session: Any, login: LoggedIn, done: Done) -> None:
        """Offer the incident to another operator who may handle alarms (logged in now, or known)."""
        args = _parse(raw, TransferArgs)
        book = self._core.incidents.book
        to = args.to.strip()

        def offer() -> None:
            with _refusals():
                incident = book.offer_transfer(args.incident_id, login.username, to, time.time())
            done({"incident": incident_view(incident)}, None)

        # Check the incident first so a hopeless request costs no database read.
        with _refusals():
            book.check_transfer(args.incident_id, login.username, to)
        if any(
            s.login is not None and Permission.HANDLE_ALARMS in s.login.permissions
            for s in self._sessions_of(to)
        ):
            offer()
            return

        def found(role: Role | None, error: BaseException | None) -> None:
            if error is not None:
                done(None, HubRequestError(ErrorCode.INTERNAL, f"database error: {type(error).__name__}"))
            elif role is None:
                done(None, HubRequestError(ErrorCode.NOT_FOUND, f"no operator {to!r}"))
            elif not may(role, Permission.HANDLE_ALARMS):
                done(None, HubRequestError(ErrorCode.CONFLICT, f"operator {to!r} may not handle alarms"))
            else:
                try:
                    offer()  # decided again now: the incident may have changed meanwhile
                except HubRequestError as exc:
                    done(None, exc)

        def job(session: Session) -> Role | None:
            row = session.execute(
                select(Operator.role, Operator.disabled).where(Operator.username == to)
            ).first()
            return None if row is None or row.disabled else Role(row.role)

        self._core.writer.submit(job, found, "transfer target")

    # --- looking --------------------------------------------------------------------------
    def history(self, raw: dict[str, Any], _session: Any, login: LoggedIn, done: Done) -> None:
        args = _parse(raw, HistoryArgs)
        districts = self._core.school_districts
        allowed: list[str] | None = None
        if args.school is not None:
            check_school_visible(login, args.school, districts)
        elif login.scoped:
            allowed = [code for code, district in districts.items() if district == login.district_code]
        incidents = self._core.incidents
        incidents.flush(force=True)

        def job(session: Session) -> list[Incident]:
            return store.history(
                session,
                school=args.school,
                allowed_schools=allowed,
                since=args.since,
                until=args.until,
                limit=args.limit,
            )

        def finished(found: list[Incident] | None, error: BaseException | None) -> None:
            if error is not None or found is None:
                done(None, HubRequestError(ErrorCode.INTERNAL, f"database error: {type(error).__name__}"))
                return
            # The live book is newer than a write still in flight: prefer its version.
            live = [incidents.book.find(i.incident_id) or i for i in found]
            done({"incidents": [incident_view(i) for i in live]}, None)

        self._core.writer.submit(job, finished, "incident history")

    def timeline(self, raw: dict[str, Any], _session: Any, login: LoggedIn, done: Done) -> None:
        incident_id = _parse(raw, IncidentArgs).incident_id
        incidents = self._core.incidents
        districts = self._core.school_districts
        live = incidents.book.find(incident_id)
        if live is not None:
            check_school_visible(login, live.school, districts)
        incidents.flush(force=True)

        def finished(result: Any, error: BaseException | None) -> None:
            if error is not None or result is None:
                done(None, HubRequestError(ErrorCode.INTERNAL, f"database error: {type(error).__name__}"))
                return
            stored, alarms, entries = result
            incident = incidents.book.find(incident_id) or stored
            if incident is None:
                done(None, HubRequestError(ErrorCode.NOT_FOUND, f"no incident {incident_id}"))
                return
            try:
                check_school_visible(login, incident.school, districts)
            except HubRequestError as exc:
                done(None, exc)
                return
            done({"incident": incident_view(incident), "alarms": alarms, "entries": entries}, None)

        self._core.writer.submit(lambda s: store.timeline(s, incident_id), finished, "incident timeline")


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn the book's refusals into request errors with their wire code."""
    try:
        yield
    except IncidentError as exc:
        raise HubRequestError(ErrorCode(exc.code), exc.message, exc.details) from None


def _parse(raw: dict[str, Any], cls: type[msgspec.Struct]) -> Any:
    try:
        return msgspec.convert(raw, cls)
    except msgspec.ValidationError as exc:
        raise HubRequestError(ErrorCode.MALFORMED, f"invalid request args: {exc}") from None
