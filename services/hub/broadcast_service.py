"""Broadcasts through the hub: send (now or at a time), stop, history and per-school status.

Runs on the hub's socket thread; database work goes to the writer. A broadcast is accepted by
`broadcast_send` (checked against the permission of its priority, city-wide emergencies and drills
confirmed a second time exactly like `send_command`), stored in the broadcasts table, and then:
- kept until its time when scheduled (persisted: a hub restart keeps it; one whose time plus its
  ttl_s passed while the hub could not send it is marked expired and never sent late);
- its clip synced to the schools that lack it (services/hub/broadcast_sync.py), unless bundled;
- issued as one `broadcast_start` command under the command id chosen at acceptance, so the
  console follows it in the ledger's delivery updates from the first moment.
Requests and answers: docs/broadcasts.md and docs/protocol.md section 5.2.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from services.hub import broadcast_store as store
from services.hub.agents import AgentService
from services.hub.broadcast_args import (
    HISTORY_LIMIT_MAX,
    BroadcastHistoryArgs,
    BroadcastSendArgs,
    BroadcastStatusArgs,
    BroadcastStopArgs,
    check_send,
    confirmation_args,
    parse,
)
from services.hub.broadcast_sync import (
    ASK_TIMEOUT_S,
    SYNC_DEADLINE_S,
    ClipSync,
    SyncPhase,
    chunk_args,
    completed,
    holders,
    settled,
)
from services.hub.config import Target
from services.hub.console_access import (
    CONFIRMATION_TTL_S,
    ConfirmationBook,
    LoggedIn,
    check_command,
    command_fingerprint,
)
from services.hub.core import HubCore
from services.hub.errors import HubRequestError
from services.hub.ledger import Ledger, LedgerCommand, discard, status_from_db
from services.protocol.codec import new_message_id
from services.protocol.envelope import ErrorCode

log = logging.getLogger("services.hub.broadcasts")

Done = Callable[[Any, HubRequestError | None], None]
Handler = Callable[[dict[str, Any], Any, LoggedIn, Done], None]
ClipSource = Callable[[str], bytes | None]
Resolved = Callable[[list[str], list[str]], None]
STOP_TTL_S = 300.0
SYNC_COMMAND_TTL_S = 600.0
SYNC_POLL_S = 0.05  # how often a clip sync in progress looks at its answers


def _db_error(error: BaseException | None) -> HubRequestError | None:
    if error is None or isinstance(error, HubRequestError):
        return error
    return HubRequestError(ErrorCode.INTERNAL, f"database error: {type(error).__name__}")


class BroadcastService:
    def __init__(
        self,
        core: HubCore,
        agents: AgentService,
        confirmations: ConfirmationBook,
        bundled: frozenset[str],
        pending: Iterable[store.Pending] = (),
        clip_bytes: ClipSource | None = None,
    ) -> None:
        self._core = core
        self._agents = agents
        self._confirmations = confirmations
        self._bundled = bundled
        self._clip_bytes = clip_bytes
        self._scheduled: dict[str, store.Pending] = {}
        self._syncs: dict[str, ClipSync] = {}
        self._sent: dict[str, store.Pending] = {}  # broadcast id -> what was sent (this hub's life)
        self._have: dict[str, set[str]] = {}  # school -> clips it is known to hold
        self._last_tick = 0.0
        for item in pending:
            self._scheduled[item.broadcast_id] = item

    def handlers(self) -> dict[str, Handler]:
        return {
            "broadcast_send": self._send,
            "broadcast_stop": self._stop,
            "broadcast_history": lambda a, _s, _l, done: self._history(a, done),
            "broadcast_status": lambda a, _s, _l, done: self._status(a, done),
        }

    # --- send -----------------------------------------------------------------------------
    def _send(self, raw: dict[str, Any], _session: Any, login: LoggedIn, done: Done) -> None:
        parsed: BroadcastSendArgs = parse(raw, BroadcastSendArgs)
        now = time.time()
        args = check_send(parsed, now)
        target = Target(
            schools=tuple(args.target.schools),
            districts=tuple(args.target.districts),
            all_schools=args.target.all,
        )
        # The permission of the broadcast's priority, and the city-wide rules of send_command.
        confirm = check_command(
            login, target, "broadcast_start", {"priority": args.priority}, self._core.school_districts
        )
        if confirm:
            fingerprint = command_fingerprint(target, "broadcast_start", confirmation_args(parsed))
            if not parsed.confirmation or not self._confirmations.redeem(
                parsed.confirmation, login.username, fingerprint
            ):
                raise HubRequestError(
                    ErrorCode.CONFIRMATION_REQUIRED,
                    f"a city-wide {args.priority} broadcast must be confirmed a second time",
                    details={
                        "confirmation": self._confirmations.issue(login.username, fingerprint),
                        "schools": self._target_size(target),
                        "action": "broadcast_start",
                        "expires_in_s": CONFIRMATION_TTL_S,
                    },
                )
        pending = store.Pending(
            broadcast_id=new_message_id(),
            command_id=new_message_id(),
            title=args.title,
            clip=args.clip,
            priority=args.priority,
            zones=tuple(args.zones),
            repeat=args.repeat,
            drill=args.drill,
            target=target.to_json(),
            at=args.at,
            ttl_s=args.ttl_s,
            created_at=now,
            operator=login.username,
        )
        districts = list(target.districts)
        bundled = args.clip in self._bundled
        clip = args.clip

        def look(session: Any) -> tuple[list[str], bool]:
            codes = store.district_schools(session, districts) if districts else []
            return codes, bundled or store.library_has(session, clip)

        def looked(result: tuple[list[str], bool] | None, error: BaseException | None) -> None:
            if result is None:
                done(None, _db_error(error))
                return
            codes, known = result
            if not known and self._clip_bytes is None:
                done(None, HubRequestError(ErrorCode.NOT_FOUND, f"no clip {clip} in the library"))
                return
            schools, no_agent = self._expand(target, codes)
            self._accept(pending, schools, no_agent, done)

        self._core.writer.submit(look, looked, "broadcast target")

    def _accept(self, pending: store.Pending, schools: list[str], no_agent: list[str], done: Done) -> None:
        status = "scheduled" if pending.at is not None else "syncing"

        def stored(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                done(None, _db_error(error))
                return
            log.info(
                "broadcast %s (%s, clip %s) by %s: %d schools, %s",
                pending.broadcast_id,
                pending.priority,
                pending.clip[:12],
                pending.operator,
                len(schools),
                f"scheduled for {pending.at:.0f}" if pending.at is not None else "now",
            )
            done(
                {
                    "broadcast_id": pending.broadcast_id,
                    "command_id": pending.command_id,
                    "schools": schools,
                    "no_agent": no_agent,
                    "at": pending.at,
                },
                None,
            )
            if pending.at is None:
                self._begin(pending, schools)
            else:
                self._scheduled[pending.broadcast_id] = pending

        self._core.writer.submit(store.insert_job(pending, status, len(schools)), stored, "store broadcast")

    def _expand(self, target: Target, district_codes: Iterable[str]) -> tuple[list[str], list[str]]:
        with_agent = {info.school for info in self._core.book.accepted()}
        wanted = with_agent if target.all_schools else set(target.schools) | set(district_codes)
        return sorted(wanted & with_agent), sorted(wanted - with_agent)

    def _resolve(self, pending: store.Pending, then: Resolved) -> None:
        target = Target.from_json(pending.target)
        if not target.districts:
            then(*self._expand(target, ()))
            return
        districts = list(target.districts)

        def expanded(codes: list[str] | None, error: BaseException | None) -> None:
            if codes is None:
                self._give_up(pending, f"target not resolved: {_db_error(error)}")
                return
            then(*self._expand(target, codes))

        self._core.writer.submit(lambda s: store.district_schools(s, districts), expanded, "broadcast target")

    def _target_size(self, target: Target) -> int:
        districts = self._core.school_districts
        if target.all_schools:
            return len(districts)
        wanted = set(target.districts)
        return len(set(target.schools) | {code for code, d in districts.items() if d in wanted})

    # --- from acceptance to the start command ---------------------------------------------
    def _begin(self, pending: store.Pending, schools: list[str]) -> None:
        if pending.clip in self._bundled:
            self._start(pending, schools)
            return
        lacking = [s for s in schools if pending.clip not in self._have.get(s, ())]
        if not lacking:
            self._start(pending, schools)
            return
        sync = ClipSync(pending.broadcast_id, pending.clip, schools, time.monotonic())
        sync.phase_started = sync.started
        self._syncs[pending.broadcast_id] = sync
        self._sent[pending.broadcast_id] = pending
        clip = pending.clip
        source = self._clip_bytes

        def fetch(session: Any) -> bytes | None:
            return source(clip) if source is not None else store.library_bytes(session, clip)

        def fetched(data: bytes | None, error: BaseException | None) -> None:
            if self._syncs.get(pending.broadcast_id) is not sync:
                return  # stopped meanwhile
            if data is None:
                del self._syncs[pending.broadcast_id]
                self._give_up(pending, f"clip {clip} is not in the library" if error is None else str(error))
                return
            sync.data = data
            sync.phase = SyncPhase.ASKING
            sync.phase_started = time.monotonic()
            sync.ask_command = self._issue(
                new_message_id(), "clip_have", {}, lacking, SYNC_COMMAND_TTL_S, pending
            ).command_id

        self._core.writer.submit(fetch, fetched, "broadcast clip")

    def _advance(self, sync: ClipSync, now_mono: float) -> None:
        ledger = self._core.ledger
        pending = self._sent[sync.broadcast_id]
        if sync.phase is SyncPhase.ASKING:
            asked = [s for s in sync.schools if sync.clip not in self._have.get(s, ())]
            if not settled(ledger, sync.ask_command, asked) and now_mono - sync.phase_started < ASK_TIMEOUT_S:
                return
            for school in holders(ledger, sync.ask_command, sync.clip):
                self._have.setdefault(school, set()).add(sync.clip)
            sync.lacking = [s for s in asked if sync.clip not in self._have.get(s, ())]
            if not sync.lacking:
                self._finish_sync(sync, pending)
                return
            sync.phase = SyncPhase.PUTTING
            sync.phase_started = now_mono
            for args in chunk_args(sync.clip, sync.data):
                command = self._issue(
                    new_message_id(), "clip_put", args, sync.lacking, SYNC_COMMAND_TTL_S, pending
                )
                sync.put_commands.append(command.command_id)
            log.info(
                "broadcast %s: clip %s (%d bytes, %d chunks) to %d schools",
                sync.broadcast_id,
                sync.clip[:12],
                len(sync.data),
                len(sync.put_commands),
                len(sync.lacking),
            )
            return
        if sync.phase is SyncPhase.PUTTING:
            waiting = not all(settled(ledger, c, sync.lacking) for c in sync.put_commands)
            if waiting and now_mono - sync.started < SYNC_DEADLINE_S:
                return
            for school in completed(ledger, sync.put_commands):
                self._have.setdefault(school, set()).add(sync.clip)
            if waiting:
                log.warning(
                    "broadcast %s: clip sync deadline passed; starting with the schools that have it",
                    sync.broadcast_id,
                )
            self._finish_sync(sync, pending)

    def _finish_sync(self, sync: ClipSync, pending: store.Pending) -> None:
        del self._syncs[sync.broadcast_id]
        self._start(pending, sync.schools)

    def _start(self, pending: store.Pending, schools: list[str]) -> None:
        now = time.time()
        ttl_s = pending.expires_at - now
        if ttl_s <= 0:
            self._expire(pending, "its time passed before it could be sent")
            return
        self._sent[pending.broadcast_id] = pending
        args = command_args_of(pending)

        def stored(command: LedgerCommand | None) -> None:
            if command is None:
                return
            self._core.writer.submit(
                store.status_job(pending.broadcast_id, "sent", sent_at=now, schools=len(schools)),
                None,
                "broadcast sent",
            )

        self._issue(pending.command_id, "broadcast_start", args, schools, ttl_s, pending, stored)

    def _issue(
        self,
        command_id: str,
        action: str,
        args: dict[str, Any],
        schools: list[str],
        ttl_s: float,
        pending: store.Pending,
        on_stored: Callable[[LedgerCommand | None], None] | None = None,
    ) -> LedgerCommand:
        """Put one command in the ledger (stored before anything is sent), like send_command."""
        core = self._core
        command = core.ledger.create(
            command_id=command_id,
            action=action,
            args=args,
            target=pending.target,
            schools=schools,
            connected=core.sessions.by_school,
            ttl_s=ttl_s,
            epoch=core.epoch,
            operator=pending.operator,
        )

        def stored(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                discard(core.ledger, command.command_id)
                log.error("broadcast %s: %s not stored: %s", pending.broadcast_id, action, error)
                if on_stored is not None:
                    on_stored(None)
                return
            command.persisted = True
            self._agents.dispatch(command)
            if on_stored is not None:
                on_stored(command)

        core.writer.submit(Ledger.insert_job(command), stored, f"store {action}")
        return command

    def _expire(self, pending: store.Pending, reason: str) -> None:
        log.warning("broadcast %s expired unsent: %s", pending.broadcast_id, reason)
        self._core.writer.submit(
            store.status_job(pending.broadcast_id, "expired", reason=reason), None, "broadcast expired"
        )

    def _give_up(self, pending: store.Pending, reason: str) -> None:
        log.error("broadcast %s not sent: %s", pending.broadcast_id, reason)
        self._core.writer.submit(
            store.status_job(pending.broadcast_id, "cancelled", reason=reason), None, "broadcast cancelled"
        )

    # --- the socket thread's timer --------------------------------------------------------
    def next_due(self) -> float | None:
        """Epoch seconds of the next scheduled start (None when nothing is scheduled)."""
        if self._syncs:
            return self._last_tick + SYNC_POLL_S
        return min((p.due_at for p in self._scheduled.values()), default=None)

    def tick(self) -> None:
        now = time.time()
        self._last_tick = now
        for broadcast_id, pending in list(self._scheduled.items()):
            if pending.due_at > now:
                continue
            del self._scheduled[broadcast_id]
            if pending.expires_at <= now:
                self._expire(pending, "its time passed while the hub could not send it")
                continue
            self._resolve(pending, self._beginner(pending))
        now_mono = time.monotonic()
        for sync in list(self._syncs.values()):
            if sync.phase is not SyncPhase.FETCHING:
                self._advance(sync, now_mono)

    def _beginner(self, pending: store.Pending) -> Resolved:
        def begin(schools: list[str], _no_agent: list[str]) -> None:
            self._begin(pending, schools)

        return begin

    # --- stop -----------------------------------------------------------------------------
    def _stop(self, raw: dict[str, Any], _session: Any, login: LoggedIn, done: Done) -> None:
        args: BroadcastStopArgs = parse(raw, BroadcastStopArgs)
        broadcast_id = args.broadcast_id
        unsent = self._scheduled.get(broadcast_id)
        syncing = self._syncs.get(broadcast_id)
        if unsent is not None or syncing is not None:
            if args.schools:
                raise HubRequestError(
                    ErrorCode.CONFLICT, "this broadcast has not started yet: stop it everywhere or not at all"
                )
            self._scheduled.pop(broadcast_id, None)
            self._syncs.pop(broadcast_id, None)
            self._core.writer.submit(
                store.status_job(broadcast_id, "cancelled", reason=f"stopped by {login.username}"),
                lambda _r, e: done(
                    {"broadcast_id": broadcast_id, "cancelled": True, "command_id": ""}, _db_error(e)
                ),
                "broadcast cancelled",
            )
            return

        def found(record: dict[str, Any] | None, error: BaseException | None) -> None:
            if record is None:
                done(
                    None,
                    _db_error(error) or HubRequestError(ErrorCode.NOT_FOUND, f"no broadcast {broadcast_id}"),
                )
                return
            self._stop_sent(record, args.schools, login, done)

        self._core.writer.submit(lambda s: store.get_record(s, broadcast_id), found, "broadcast record")

    def _stop_sent(self, record: dict[str, Any], wanted: list[str], login: LoggedIn, done: Done) -> None:
        ledger = self._core.ledger
        command = ledger.commands.get(str(record["command_id"]))
        if command is None:
            done(None, HubRequestError(ErrorCode.CONFLICT, "this broadcast has finished"))
            return
        schools = sorted(set(wanted) & set(command.deliveries)) if wanted else sorted(command.deliveries)
        if not schools:
            done(None, HubRequestError(ErrorCode.MALFORMED, "none of these schools belongs to the broadcast"))
            return
        stop_id = new_message_id()
        superseded = ledger.supersede_unsent(command.command_id, schools, stop_id, time.time())
        pending = self._sent.get(str(record["broadcast_id"])) or _pending_of(record)
        stop = self._issue(
            stop_id,
            "broadcast_stop",
            {"broadcast_id": str(record["broadcast_id"])},
            schools,
            STOP_TTL_S,
            pending,
            lambda c: done(
                {
                    "broadcast_id": record["broadcast_id"],
                    "command_id": stop_id,
                    "schools": schools,
                    "not_started": superseded,
                    "cancelled": False,
                }
                if c is not None
                else None,
                None if c is not None else HubRequestError(ErrorCode.INTERNAL, "the stop was not stored"),
            ),
        )
        log.info(
            "broadcast %s: stop %s by %s to %d schools",
            record["broadcast_id"],
            stop.command_id,
            login.username,
            len(schools),
        )

    # --- looking ----------------------------------------------------------------------------
    def _history(self, raw: dict[str, Any], done: Done) -> None:
        args: BroadcastHistoryArgs = parse(raw, BroadcastHistoryArgs)
        limit = max(1, min(args.limit, HISTORY_LIMIT_MAX))
        self._flush_ledger()
        self._core.writer.submit(
            lambda s: store.history(s, args.since, args.until, args.priority, limit),
            lambda rows, e: done({"broadcasts": rows} if rows is not None else None, _db_error(e)),
            "broadcast history",
        )

    def _status(self, raw: dict[str, Any], done: Done) -> None:
        broadcast_id = parse(raw, BroadcastStatusArgs).broadcast_id

        def read(session: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
            # The stored deliveries too: the ledger keeps a finished command in memory only a while
            # (the socket thread prefers its own fresher copy when it still has one).
            record = store.get_record(session, broadcast_id)
            if record is None:
                return None, None
            return record, status_from_db(session, str(record["command_id"]))

        def answered(
            result: tuple[dict[str, Any] | None, dict[str, Any] | None] | None, error: BaseException | None
        ) -> None:
            if result is None or result[0] is None:
                done(
                    None,
                    _db_error(error) or HubRequestError(ErrorCode.NOT_FOUND, f"no broadcast {broadcast_id}"),
                )
                return
            record, stored = result[0], result[1]
            sync = self._syncs.get(broadcast_id)
            done({**record, "sync": sync.view() if sync else None, **self._deliveries(record, stored)}, None)

        self._core.writer.submit(read, answered, "broadcast status")

    def _deliveries(self, record: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
        command = self._core.ledger.commands.get(str(record["command_id"]))
        rows: list[dict[str, Any]] = []
        if command is not None:
            for school, d in sorted(command.deliveries.items()):
                latency = None
                if d.first_sent_at is not None and d.playing_at is not None:
                    latency = round((d.playing_at - d.first_sent_at) * 1000, 1)
                rows.append(
                    {
                        "school": school,
                        "state": store.broadcast_state(d.state.value),
                        "reason": d.reason,
                        "at": d.updated_at,
                        "sent_at": d.first_sent_at,
                        "playing_at": d.playing_at,
                        "started_at": d.started_at,
                        "latency_ms": latency,
                    }
                )
        elif stored is not None:
            for d in stored.get("deliveries", []):
                rows.append(
                    {
                        "school": d["school"],
                        "state": store.broadcast_state(d["state"]),
                        "reason": d["reason"],
                        "at": d["at"],
                        "sent_at": None,
                        "playing_at": None,
                        "started_at": d.get("started_at"),
                        "latency_ms": None,
                    }
                )
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        return {"counts": counts, "deliveries": rows}

    def _flush_ledger(self) -> None:
        ledger = self._core.ledger
        rows = ledger.take_dirty()
        if rows:
            self._core.writer.submit(
                ledger.flush_job(rows),
                lambda _r, e: ledger.restore_dirty(rows) if e else None,
                "flush ledger",
            )


def command_args_of(pending: store.Pending) -> dict[str, Any]:
    """The `broadcast_start` arguments of an accepted broadcast (only those an agent accepts)."""
    return {
        "broadcast_id": pending.broadcast_id,
        "clip": pending.clip,
        "priority": pending.priority,
        "zones": list(pending.zones),
        "repeat": pending.repeat,
        "drill": pending.drill,
    }


def _pending_of(record: dict[str, Any]) -> store.Pending:
    return store.Pending(
        broadcast_id=str(record["broadcast_id"]),
        command_id=str(record["command_id"]),
        title=str(record["title"]),
        clip=str(record["clip"]),
        priority=str(record["priority"]),
        zones=tuple(record["zones"]),
        repeat=int(record["repeat"]),
        drill=bool(record["drill"]),
        target=dict(record["target"]),
        at=record["at"],
        ttl_s=0.0,
        created_at=float(record["created_at"]),
        operator=str(record["operator"]),
    )
