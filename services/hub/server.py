"""The hub: start-up, the socket thread's loop, timers, and the thread-safe admin calls.

Threads: the socket thread (owns every ZeroMQ socket of the hub and all in-memory state), the
database writer, and the ZAP authenticator. Start-up reads what the loop needs (allow-lists, open
deliveries, the new epoch) before the loop runs; afterwards the socket thread never waits on the
database. Admin calls from other threads are queued to the socket thread (a pipe wakes it) and
wait for the committed result.
"""

from __future__ import annotations

import concurrent.futures
import gc
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq
from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.orm import Session

from services.access.audit import AuditKey, AuditLog
from services.alarms import store as incident_store
from services.alarms.catalog import CatalogError, load_catalog
from services.broadcast.bundled import load_bundled
from services.db.engine import open_database
from services.db.network_models import AgentEnrollment, ConsoleKey, HubEpoch
from services.hub import broadcast_store
from services.hub.agents import AgentService
from services.hub.auth import AGENTS_DOMAIN, CONSOLES_DOMAIN, ENROLL_DOMAIN, AllowLists, Authenticator
from services.hub.broadcast_service import BroadcastService
from services.hub.config import HubConfig, IssuedCommand, Target
from services.hub.console_access import LOCAL_ADMIN_PREFIX
from services.hub.console_api import ConsoleService
from services.hub.console_operators import school_districts
from services.hub.core import HubCore
from services.hub.db_writer import DatabaseWriter
from services.hub.enrollment import EnrollmentBook, EnrollService
from services.hub.errors import HubRequestError
from services.hub.ledger import Ledger
from services.hub.operations import Operations
from services.hub.sockets import curve_router, raise_fd_limit
from services.protocol import keys
from services.protocol.console_messages import AgentInfo
from services.protocol.envelope import ErrorCode

log = logging.getLogger("services.hub")

# At most this many messages per socket per wake-up before the others get their turn.
DRAIN_BUDGET = 4096
SWEEP_INTERVAL_S = 1.0
ADMIN_TIMEOUT_S = 30.0

AdminFn = Callable[[Operations, Callable[[Any, HubRequestError | None], None]], None]


class HubError(RuntimeError):
    """The hub cannot start (database, keys or endpoints), with the reason."""


class Hub:
    def __init__(self, config: HubConfig) -> None:
        self.config = config
        try:
            self._keypair = keys.load_or_create(Path(config.key_dir) / "hub.key")
            self._cli_keypair = keys.load_or_create(Path(config.key_dir) / "cli.key")
            # The audit record's MAC key and head anchor live beside the hub's keys, outside the database.
            self._audit_log = AuditLog(
                AuditKey.load_or_create(Path(config.key_dir) / "audit.key"),
                Path(config.key_dir) / "audit.anchor",
            )
        except (keys.KeyFileError, OSError, ValueError) as exc:
            raise HubError(str(exc)) from exc
        try:
            self._catalog = load_catalog(config.alarm_types_path)
        except CatalogError as exc:
            raise HubError(str(exc)) from exc
        self.public_key: bytes = self._keypair.public
        self.cli_public_key: bytes = self._cli_keypair.public
        self.agent_endpoint = config.agent_endpoint
        self.enroll_endpoint = config.enroll_endpoint
        self.console_endpoint = config.console_endpoint
        self.epoch = 0
        self.allow_lists = AllowLists()
        self._engine: Engine | None = None
        self._context: zmq.Context[zmq.Socket[bytes]] | None = None
        self._authenticator: Authenticator | None = None
        self._writer: DatabaseWriter | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._stopping = threading.Event()
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._core: HubCore | None = None
        self._ops: Operations | None = None
        self._pending_broadcasts: list[broadcast_store.Pending] = []
        # Clips every agent ships with (never transferred), by sha256.
        self._bundled_clips = frozenset(clip.sha256 for clip in load_bundled())

    # --- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        raise_fd_limit()
        try:
            self._engine = open_database(self.config.database_url)
        except Exception as exc:
            raise HubError(str(exc)) from exc
        try:
            self._start_with(self._engine)
        except BaseException:
            self._shutdown_threads()
            raise

    def _start_with(self, engine: Engine) -> None:
        book = EnrollmentBook()
        ledger = Ledger()
        now = time.time()
        with Session(engine) as session, session.begin():
            last = session.scalar(select(func.max(HubEpoch.epoch)))
            self.epoch = (last or 0) + 1
            session.add(HubEpoch(epoch=self.epoch, started_at=now))
            book.load(session)
            open_deliveries = ledger.load(session, now)
            console_keys = list(session.scalars(select(ConsoleKey.public_key)))
            districts = school_districts(session)
            live_incidents, alarm_keys = incident_store.load(session, now)
            self._pending_broadcasts = broadcast_store.load_pending(session)
        for info in book.accepted():
            self.allow_lists.allow_agent(info.public_key, info.school)
        for key in [*console_keys, *(k.decode() for k in self.config.console_public_keys)]:
            self.allow_lists.allow_console(key)
        self.allow_lists.allow_console(self.cli_public_key.decode())
        log.info(
            "hub epoch %d: %d accepted agents, %d open deliveries, %d console keys, %d live incidents",
            self.epoch,
            len(book.accepted()),
            open_deliveries,
            len(console_keys),
            len(live_incidents),
        )
        self._context = zmq.Context(io_threads=max(1, self.config.io_threads))
        self._context.setsockopt(zmq.LINGER, 0)
        self._context.set(zmq.MAX_SOCKETS, 4096)
        self._authenticator = Authenticator(self._context, self.allow_lists)
        self._authenticator.start()
        completions_endpoint = f"inproc://hub-db-completions-{id(self)}"
        self._writer = DatabaseWriter(engine, self._context, completions_endpoint)
        core = HubCore(
            self.config,
            self._writer,
            self.allow_lists,
            self.epoch,
            self.public_key.decode(),
            self._audit_log,
            self._catalog,
        )
        core.incidents.book.load(live_incidents, alarm_keys)
        core.school_districts = districts
        core.local_admin_keys = frozenset({self.cli_public_key.decode()})
        core.book = book
        core.ledger = ledger
        for info in book.accepted():
            core.presence.known(info.school, book.last_seen.get(info.public_key))
        self._core = core
        self._thread = threading.Thread(
            target=self._run, args=(completions_endpoint,), name="hub-sockets", daemon=True
        )
        self._thread.start()
        self._ready.wait(30)
        if self._start_error is not None or not self._ready.is_set():
            error = self._start_error
            raise HubError(f"hub sockets did not start: {error}") from error
        self._writer.start()
        self._write_endpoints()
        # What start-up built stays for the hub's life: keep it out of the collector's full passes,
        # which otherwise stall the socket thread for a tenth of a second or more during a flood.
        gc.freeze()
        log.info(
            "hub ready: agents %s, enrollment %s, consoles %s",
            self.agent_endpoint,
            self.enroll_endpoint,
            self.console_endpoint,
        )

    def stop(self) -> None:
        """Stop cleanly: the loop flushes the ledger, the writer finishes, the sockets close."""
        if self._thread is None:
            return
        self._stopping.set()
        self._wake()
        self._shutdown_threads()

    def _shutdown_threads(self) -> None:
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        if self._authenticator is not None:
            self._authenticator.stop()
            self._authenticator = None
        if self._context is not None:
            self._context.term()
            self._context = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def stop_authenticator(self) -> None:
        """Stop only the ZAP thread (for tests proving that the hub then refuses every key)."""
        if self._authenticator is not None:
            self._authenticator.stop()

    def _write_endpoints(self) -> None:
        path = Path(self.config.key_dir) / "endpoints.json"
        path.write_text(
            json.dumps(
                {
                    "agent": self.agent_endpoint,
                    "enroll": self.enroll_endpoint,
                    "console": self.console_endpoint,
                    "public_key": self.public_key.decode(),
                    "pid": os.getpid(),
                }
            )
        )

    # --- the socket thread ----------------------------------------------------------------
    def _run(self, completions_endpoint: str) -> None:
        assert self._context is not None and self._core is not None
        context, core, config = self._context, self._core, self.config
        socks: list[zmq.Socket[bytes]] = []
        try:
            pull: zmq.Socket[bytes] = context.socket(zmq.PULL)
            socks.append(pull)
            pull.bind(completions_endpoint)
            common: dict[str, Any] = {
                "secret_key": self._keypair.secret,
                "public_key": self._keypair.public,
                "heartbeat_interval_s": config.heartbeat_interval_s,
            }
            agent_sock, self.agent_endpoint = curve_router(
                context, zap_domain=AGENTS_DOMAIN, endpoint=config.agent_endpoint, **common
            )
            socks.append(agent_sock)
            enroll_sock, self.enroll_endpoint = curve_router(
                context,
                zap_domain=ENROLL_DOMAIN,
                endpoint=config.enroll_endpoint,
                sndhwm=100,
                rcvhwm=1000,
                **common,
            )
            socks.append(enroll_sock)
            console_sock, self.console_endpoint = curve_router(
                context, zap_domain=CONSOLES_DOMAIN, endpoint=config.console_endpoint, sndhwm=10000, **common
            )
            socks.append(console_sock)
        except Exception as exc:
            self._start_error = exc
            for sock in socks:
                sock.close(linger=0)
            self._ready.set()
            return
        core.agent_sock, core.enroll_sock, core.console_sock = agent_sock, enroll_sock, console_sock
        agents = AgentService(core, agent_sock)
        ops = Operations(core, agents)
        self._ops = ops
        enrolls = EnrollService(core, enroll_sock)
        consoles = ConsoleService(core, console_sock, ops)
        consoles.broadcasts = BroadcastService(
            core, agents, consoles.confirmations, self._bundled_clips, self._pending_broadcasts
        )
        poller = zmq.Poller()
        # Consoles first: an operator's request never waits behind a round of agent traffic.
        handlers: list[tuple[zmq.Socket[bytes], Callable[[list[zmq.Frame]], None]]] = [
            (console_sock, consoles.handle),
            (agent_sock, agents.handle),
            (enroll_sock, enrolls.handle),
        ]
        for sock, _ in handlers:
            poller.register(sock, zmq.POLLIN)
        poller.register(pull, zmq.POLLIN)
        poller.register(self._wake_r, zmq.POLLIN)
        self._ready.set()
        timers = _Timers(config)
        busy = False
        try:
            while not self._stopping.is_set():
                timeout_ms = 0 if busy else max(0, int(timers.until_next() * 1000))
                busy = False
                for sock, _event in poller.poll(timeout_ms):
                    if sock is pull:
                        _drain_doorbell(pull)
                        assert self._writer is not None
                        self._writer.run_completions()
                    elif sock == self._wake_r:
                        self._run_calls()
                for sock, handle in handlers:
                    busy |= _drain(sock, handle)
                if self._writer is not None:
                    self._writer.run_completions()
                timers.run(self, core, agents, ops, consoles)
                # Incident changes go to the consoles in the same round, not at the next tick.
                if core.incidents.book.has_changes:
                    consoles.tick()
                core.incidents.flush()
            ops.flush_ledger()
            core.incidents.flush(force=True)
            self._flush_last_seen(core)
            core.audit.flush()
        except Exception:
            log.exception("the hub's socket loop failed")
        finally:
            for sock in [*socks]:
                sock.close(linger=0)

    def _run_calls(self) -> None:
        try:
            while os.read(self._wake_r, 4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            call()

    def _flush_last_seen(self, core: HubCore) -> None:
        seen = core.presence.take_seen()
        if not seen:
            return
        rows = [{"b_school": school, "last_seen": at} for school, at in seen.items()]
        statement = (
            update(AgentEnrollment)
            .where(AgentEnrollment.school_code == bindparam("b_school"))
            .where(AgentEnrollment.status == "accepted")
            .values(last_seen=bindparam("last_seen"))
        )
        core.writer.submit(lambda s: s.connection().execute(statement, rows), None, "last seen")

    # --- thread-safe admin calls ----------------------------------------------------------
    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass  # the pipe is full, so the loop will wake anyway

    def call(self, fn: AdminFn, timeout: float = ADMIN_TIMEOUT_S, audit: dict[str, Any] | None = None) -> Any:
        """Run *fn(ops, done)* on the socket thread and wait for what it reports to `done`.

        With *audit* (operator, action, target, detail) the outcome goes to the audit record as an
        action of the hub's local administrator (console "hub-api").
        """
        if self._thread is None or self._stopping.is_set():
            raise HubError("the hub is not running")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def done(result: Any, error: HubRequestError | None) -> None:
            if future.done():
                return
            if audit is not None and self._core is not None:
                self._core.audit.record(
                    operator=f"{LOCAL_ADMIN_PREFIX}{audit['operator']}",
                    role="administrator",
                    console="hub-api",
                    action=str(audit["action"]),
                    target=str(audit.get("target", "")),
                    result="ok" if error is None else "failed",
                    detail={**audit.get("detail", {}), **({"error": error.message} if error else {})},
                )
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        def run() -> None:
            assert self._ops is not None
            try:
                fn(self._ops, done)
            except HubRequestError as exc:
                done(None, exc)
            except Exception as exc:
                log.exception("admin call failed")
                done(None, HubRequestError(ErrorCode.INTERNAL, str(exc)))

        self._calls.put(run)
        self._wake()
        return future.result(timeout)

    def create_enrollment_token(self, school_code: str, ttl_s: float = 86400, operator: str = "cli") -> str:
        token, _expires = self.call(
            lambda ops, done: ops.create_token(school_code, ttl_s, operator, done),
            audit={"operator": operator, "action": "create_token", "target": f"school:{school_code}"},
        )
        return str(token)

    def decide_enrollment(self, public_key: bytes, decision: str, operator: str) -> None:
        key = public_key.decode() if isinstance(public_key, bytes) else str(public_key)
        self.call(
            lambda ops, done: ops.decide_enrollment(key, decision, operator, done),
            audit={
                "operator": operator,
                "action": "decide_enrollment",
                "target": f"public_key:{key}",
                "detail": {"decision": decision},
            },
        )

    def issue(
        self, target: Target, action: str, args: dict[str, Any], ttl_s: float, operator: str
    ) -> IssuedCommand:
        result: IssuedCommand = self.call(
            lambda ops, done: ops.issue_command(target, action, args, ttl_s, operator, done),
            audit={
                "operator": operator,
                "action": "send_command",
                "target": json.dumps(target.to_json(), sort_keys=True),
                "detail": {"action": action, "ttl_s": ttl_s},
            },
        )
        return result

    def issue_command(
        self, target: Target, action: str, args: dict[str, Any], ttl_s: float, operator: str
    ) -> str:
        return self.issue(target, action, args, ttl_s, operator).command_id

    def add_console_key(self, public_key: bytes, name: str) -> None:
        key = public_key.decode() if isinstance(public_key, bytes) else str(public_key)
        self.call(
            lambda ops, done: ops.add_console_key(key, name, "hub", done),
            audit={"operator": "hub", "action": "add_console_key", "target": f"public_key:{key}"},
        )

    def list_agents(self, status: str = "") -> list[AgentInfo]:
        result: list[AgentInfo] = self.call(lambda ops, done: done(ops.list_agents(status), None))
        return result

    def command_status(self, command_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call(lambda ops, done: ops.command_status(command_id, done))
        return result

    def stats(self) -> dict[str, Any]:
        """Counters for tests, benchmarks and the log."""

        def collect(_ops: Operations, done: Callable[[Any, HubRequestError | None], None]) -> None:
            core = self._core
            assert core is not None
            done(
                {
                    "sessions": len(core.sessions),
                    "presence": core.presence.counts(),
                    "events_stored": core.events.stored_total,
                    "events_duplicate": core.events.duplicate_total,
                    "events_pending": len(core.events),
                    "bad_frames": core.bad_frames,
                    "open_commands": sum(1 for c in core.ledger.commands.values() if c.open_count),
                    "writer_pending": core.writer.pending,
                    "incidents_live": len(core.incidents.book),
                    "incidents_unsaved": core.incidents.pending_writes,
                },
                None,
            )

        result: dict[str, Any] = self.call(collect)
        return result


class _Timers:
    """The socket thread's periodic work."""

    def __init__(self, config: HubConfig) -> None:
        now = time.monotonic()
        self._config = config
        self._next_flush = now + config.ledger_flush_interval_s
        self._next_update = now + config.console_update_interval_s
        self._next_sweep = now + SWEEP_INTERVAL_S
        self._next_seen = now + config.last_seen_flush_interval_s
        self._next_incidents = now + config.incident_check_interval_s
        self._next_broadcast: float | None = None  # wall clock: the next scheduled broadcast

    def until_next(self) -> float:
        wait = (
            min(self._next_flush, self._next_update, self._next_sweep, self._next_seen, self._next_incidents)
            - time.monotonic()
        )
        if self._next_broadcast is not None:
            wait = min(wait, self._next_broadcast - time.time())
        return wait

    def run(
        self, hub: Hub, core: HubCore, agents: AgentService, ops: Operations, consoles: ConsoleService
    ) -> None:
        now = time.monotonic()
        if now >= self._next_flush:
            self._next_flush = now + self._config.ledger_flush_interval_s
            ops.flush_ledger()
            agents.flush_events()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_INTERVAL_S
            wall = time.time()
            for school in core.presence.sweep(now):
                session = core.sessions.by_school.get(school)
                if session is not None:
                    log.info("agent %s silent for %.0f s: offline", school, self._config.offline_after_s)
                    core.sessions.drop(session)
                core.ledger.disconnected(school, wall)
            core.ledger.sweep_expired(wall)
            core.log_limiter.flush()
            consoles.voice.sweep()
        broadcasts = consoles.broadcasts
        due = self._next_broadcast
        if broadcasts is not None and due is not None and time.time() >= due:
            broadcasts.tick()
        self._next_broadcast = broadcasts.next_due() if broadcasts is not None else None
        if now >= self._next_incidents:
            self._next_incidents = now + self._config.incident_check_interval_s
            core.incidents.check_timers(time.time())
        if now >= self._next_update:
            self._next_update = now + self._config.console_update_interval_s
            consoles.tick()
        if now >= self._next_seen:
            self._next_seen = now + self._config.last_seen_flush_interval_s
            hub._flush_last_seen(core)


def _drain_doorbell(sock: zmq.Socket[bytes]) -> None:
    try:
        while True:
            sock.recv(zmq.NOBLOCK)
    except zmq.Again:
        pass


def _drain(sock: zmq.Socket[bytes], handle: Callable[[list[zmq.Frame]], None]) -> bool:
    """Handle every waiting message (up to the budget); True when the budget ran out."""
    for _ in range(DRAIN_BUDGET):
        try:
            frames = sock.recv_multipart(zmq.NOBLOCK, copy=False)
        except zmq.Again:
            return False
        try:
            handle(frames)
        except Exception:
            log.exception("failed to handle a message")
    return True
