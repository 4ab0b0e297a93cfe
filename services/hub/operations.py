"""What administrators and operators can ask of the hub, run on the socket thread.

Both the hub's thread-safe admin calls and console requests come here. Each operation validates in
memory, writes through the database writer, and reports through `done(result, error)` once the
change is committed (so a caller never learns of a change the database could lose).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db.models import District, School
from services.db.network_models import ConsoleKey
from services.hub import enrollment
from services.hub.agents import AgentService
from services.hub.config import IssuedCommand, Target
from services.hub.core import HubCore
from services.hub.errors import HubRequestError
from services.hub.ledger import discard, school_commands_from_db, status_from_db
from services.protocol.agent_messages import ArgValue
from services.protocol.codec import new_message_id
from services.protocol.console_messages import AgentInfo
from services.protocol.envelope import MAX_FRAME_BYTES, ErrorCode

log = logging.getLogger("services.hub.operations")

Done = Callable[[Any, HubRequestError | None], None]

ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TTL_S = 7 * 86400.0
MAX_TOKEN_TTL_S = 30 * 86400.0
DECISIONS = ("accept", "reject", "revoke")


def _as_request_error(error: BaseException | None) -> HubRequestError | None:
    if error is None or isinstance(error, HubRequestError):
        return error
    return HubRequestError(ErrorCode.INTERNAL, f"database error: {type(error).__name__}")


class Operations:
    def __init__(self, core: HubCore, agents: AgentService) -> None:
        self._core = core
        self._agents = agents

    # --- enrollment -----------------------------------------------------------------------
    def create_token(self, school: str, ttl_s: float, operator: str, done: Done) -> None:
        enrollment.check_school_code(school)
        if not 0 < ttl_s <= MAX_TOKEN_TTL_S:
            raise HubRequestError(
                ErrorCode.MALFORMED, f"token lifetime must be in (0, {MAX_TOKEN_TTL_S:.0f}] s"
            )
        now = time.time()

        def finished(result: tuple[str, float] | None, error: BaseException | None) -> None:
            if result is not None:
                log.info("enrollment token for %s created by %s", school, operator)
            done(result, _as_request_error(error))

        self._core.writer.submit(
            lambda s: enrollment.create_token(s, school, ttl_s, operator, now), finished, "create token"
        )

    def decide_enrollment(self, public_key: str, decision: str, operator: str, done: Done) -> None:
        if decision not in DECISIONS:
            raise HubRequestError(ErrorCode.MALFORMED, f"decision must be one of {DECISIONS}")
        now = time.time()

        def finished(info: AgentInfo | None, error: BaseException | None) -> None:
            if info is not None:
                self._apply_decision(info)
                log.info("enrollment of %s for %s: %s by %s", public_key, info.school, info.status, operator)
            done(info, _as_request_error(error))

        self._core.writer.submit(
            lambda s: enrollment.decide(s, public_key, decision, operator, now), finished, "decide enrollment"
        )

    def _apply_decision(self, info: AgentInfo) -> None:
        core = self._core
        core.book.put(info)
        core.feed.agents[info.public_key] = info
        if info.status == "accepted":
            core.allow_lists.allow_agent(info.public_key, info.school)
            core.presence.known(info.school, None)
            return
        core.allow_lists.remove_agent(info.public_key)
        now = time.time()
        for session in core.sessions.drop_key(info.public_key):
            core.presence.gone(session.school)
            core.ledger.disconnected(session.school, now)

    # --- commands -------------------------------------------------------------------------
    def issue_command(
        self, target: Target, action: str, args: dict[str, Any], ttl_s: float, operator: str, done: Done
    ) -> None:
        if target.is_empty():
            raise HubRequestError(ErrorCode.MALFORMED, "a command needs a target")
        if not ACTION_NAME.match(action):
            raise HubRequestError(ErrorCode.MALFORMED, f"not an action name: {action!r}")
        if not 0 < ttl_s <= MAX_TTL_S:
            raise HubRequestError(ErrorCode.MALFORMED, f"ttl_s must be in (0, {MAX_TTL_S:.0f}]")
        try:
            clean_args = msgspec.convert(args, dict[str, ArgValue])
        except msgspec.ValidationError as exc:
            raise HubRequestError(ErrorCode.MALFORMED, f"invalid command args: {exc}") from None
        if len(encode_args(clean_args)) > MAX_FRAME_BYTES // 2:
            raise HubRequestError(ErrorCode.MALFORMED, "command args too large")
        for code in target.schools:
            enrollment.check_school_code(code)
        if target.districts:

            def expanded(codes: list[str] | None, error: BaseException | None) -> None:
                if error is not None or codes is None:
                    done(None, _as_request_error(error))
                    return
                self._create(target, set(codes), action, clean_args, ttl_s, operator, done)

            districts = list(target.districts)
            self._core.writer.submit(lambda s: _district_schools(s, districts), expanded, "expand districts")
        else:
            self._create(target, set(), action, clean_args, ttl_s, operator, done)

    def _create(
        self,
        target: Target,
        district_codes: set[str],
        action: str,
        args: dict[str, Any],
        ttl_s: float,
        operator: str,
        done: Done,
    ) -> None:
        core = self._core
        with_agent = {info.school for info in core.book.accepted()}
        wanted = with_agent if target.all_schools else set(target.schools) | district_codes
        schools = sorted(wanted & with_agent)
        no_agent = tuple(sorted(wanted - with_agent))
        command = core.ledger.create(
            command_id=new_message_id(),
            action=action,
            args=args,
            target=target.to_json(),
            schools=schools,
            connected=core.sessions.by_school,
            ttl_s=ttl_s,
            epoch=core.epoch,
            operator=operator,
        )

        def stored(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                discard(core.ledger, command.command_id)
                done(None, _as_request_error(error))
                return
            command.persisted = True
            sent = self._agents.dispatch(command)
            log.info(
                "command %s %s by %s: %d schools, %d sent now, %d without agent",
                command.command_id,
                action,
                operator,
                len(schools),
                sent,
                len(no_agent),
            )
            done(IssuedCommand(command.command_id, tuple(schools), no_agent), None)

        core.writer.submit(core.ledger.insert_job(command), stored, "store command")

    def command_status(self, command_id: str, done: Done) -> None:
        status = self._core.ledger.status(command_id)
        if status is not None:
            done(status, None)
            return

        def finished(result: dict[str, Any] | None, error: BaseException | None) -> None:
            if error is None and result is None:
                done(None, HubRequestError(ErrorCode.NOT_FOUND, f"no command {command_id}"))
            else:
                done(result, _as_request_error(error))

        self._core.writer.submit(lambda s: status_from_db(s, command_id), finished, "command status")

    def school_commands(self, school: str, limit: int, done: Done) -> None:
        enrollment.check_school_code(school)
        # Flush the ledger first so the answer includes what happened in the last moments.
        self.flush_ledger()
        self._core.writer.submit(
            lambda s: school_commands_from_db(s, school, max(1, min(limit, 500))),
            lambda r, e: done({"commands": r}, _as_request_error(e)),
            "school commands",
        )

    def flush_ledger(self) -> None:
        rows = self._core.ledger.take_dirty()
        if not rows:
            return
        ledger = self._core.ledger

        def flushed(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                ledger.restore_dirty(rows)

        self._core.writer.submit(ledger.flush_job(rows), flushed, "flush ledger")

    # --- agents and consoles --------------------------------------------------------------
    def list_agents(self, status: str = "") -> list[AgentInfo]:
        return [info for info in self._core.book.all() if not status or info.status == status]

    def school_agent(self, school: str) -> dict[str, Any]:
        enrollment.check_school_code(school)
        infos = [info for info in self._core.book.all() if info.school == school]
        presence = self._core.presence.view(school)
        return {
            "agents": [msgspec.to_builtins(i) for i in infos],
            "presence": msgspec.to_builtins(presence) if presence is not None else None,
            "connected": school in self._core.sessions.by_school,
        }

    def add_console_key(self, public_key: str, name: str, operator: str, done: Done) -> None:
        if len(public_key) != 40:
            raise HubRequestError(ErrorCode.MALFORMED, "a console key is 40 characters of Z85")
        now = time.time()

        def job(session: Session) -> None:
            exists = session.scalars(select(ConsoleKey).where(ConsoleKey.public_key == public_key)).first()
            if exists is None:
                session.add(
                    ConsoleKey(public_key=public_key, name=name[:64], added_at=now, added_by=operator[:64])
                )

        def finished(_result: Any, error: BaseException | None) -> None:
            if error is None:
                self._core.allow_lists.allow_console(public_key)
                log.info("console key %s (%s) added by %s", public_key, name, operator)
            done({}, _as_request_error(error))

        self._core.writer.submit(job, finished, "add console key")


def encode_args(args: dict[str, Any]) -> bytes:
    return msgspec.json.encode(args)


def _district_schools(session: Session, adcodes: list[str]) -> list[str]:
    stmt = (
        select(School.code)
        .join(District, School.district_id == District.id)
        .where(District.adcode.in_(adcodes))
    )
    return list(session.scalars(stmt))

