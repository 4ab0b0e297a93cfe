"""The command executor: runs each command at most once, never after its expiry.

- A command whose `expires_at` has passed (on the hub's clock) is answered `expired` and never run.
- Every command id is stored durably with its state and result before anything runs; a repeated id
  (the hub resends until it sees a final answer) is answered with what is stored, not run again.
  Every answer, and the start of the work, waits until the row it reports is committed (at once in
  an agent's own file; after the loop iteration's group commit in the fleet's shared store).
  A command interrupted by an agent restart is answered `failed`, never re-run.
- Actions grouped into an activity (e.g. broadcast start/stop) obey "a later STOP beats an earlier
  START": a START issued before a STOP already seen for the same activity is refused, and a STOP
  cancels a running START issued before it.
  The hub's generic `stop` (activity "*") stops every activity.
- A command that finishes within its first step (nothing to wait for, like a ping; Python 3.12+)
  is answered with its final state only: "received" would say less, one message later.
- Handlers are registered by action name (adapters register theirs).
- An activity's instance is named by the argument `<activity>_id` (e.g. `broadcast_id`) or
  `activity_id`; a stop without one stops every instance of its activity.
- A handler may report its own "executing" with a result (hardware/agent/progress.py), e.g. the
  moment a broadcast's audio starts; the generic "executing" after PROGRESS_AFTER_S is then not sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hardware.adapters.base import CommandFailed
from hardware.agent.progress import CommandProgress, set_current
from hardware.agent.storage import AgentDb
from services.protocol.agent_messages import ArgValue, Command

__all__ = ["CommandExecutor", "CommandFailed", "CommandStore"]

log = logging.getLogger(__name__)

AckState = Literal["received", "executing", "done", "failed", "expired"]
Result = dict[str, ArgValue]
Handler = Callable[[Mapping[str, ArgValue]], Awaitable[Result]]
AckSink = Callable[[str, AckState, str, Result], None]  # command id, state, reason, result

# The hub's generic "stop" action stops every activity: its stop mark uses this key.
ALL_ACTIVITIES = "*"
PROGRESS_AFTER_S = 0.1  # a command still running after this reports "executing"
FINAL_STATES: frozenset[str] = frozenset({"done", "failed", "expired"})


@dataclass(frozen=True, slots=True)
class StoredCommand:
    command_id: str
    action: str
    state: AckState
    reason: str
    result: Result
    issued_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class _Registration:
    handler: Handler
    activity: str | None
    role: Literal["start", "stop"] | None


class CommandStore:
    """One school's command states and results in an agent store (*school*: the row scope)."""

    def __init__(self, db: AgentDb, *, school: str = "") -> None:
        self._db = db
        self._school = school

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run *callback* once every write made so far is durable."""
        self._db.after_commit(callback)

    def get(self, command_id: str) -> StoredCommand | None:
        row = self._db.read(
            "SELECT command_id, action, state, reason, result, issued_at, expires_at FROM commands"
            " WHERE school = ? AND command_id = ?",
            (self._school, command_id),
        ).fetchone()
        if row is None:
            return None
        result: Any = json.loads(row[4])
        return StoredCommand(row[0], row[1], row[2], row[3], result, row[5], row[6])

    def insert(self, command: Command, state: AckState, reason: str = "") -> None:
        self._db.write(
            "INSERT INTO commands (school, command_id, action, state, reason, issued_at, expires_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._school,
                command.command_id,
                command.action,
                state,
                reason,
                command.issued_at,
                command.expires_at,
                time.time(),
            ),
        )

    def update(
        self, command_id: str, state: AckState, reason: str = "", result: Result | None = None
    ) -> None:
        self._db.write(
            "UPDATE commands SET state = ?, reason = ?, result = ?, updated_at = ?"
            " WHERE school = ? AND command_id = ?",
            (state, reason, json.dumps(result or {}), time.time(), self._school, command_id),
        )

    def fail_interrupted(self) -> int:
        """Commands left running by a previous agent process: report them failed, never re-run."""
        return self._db.write(
            "UPDATE commands SET state = 'failed', reason = 'interrupted by an agent restart',"
            " updated_at = ? WHERE school = ? AND state IN ('received', 'executing')",
            (time.time(), self._school),
        ).rowcount

    def last_command_id(self) -> str | None:
        row = self._db.read(
            "SELECT command_id FROM commands WHERE school = ? ORDER BY updated_at DESC LIMIT 1",
            (self._school,),
        ).fetchone()
        return None if row is None else str(row[0])

    def prune(self, older_than: float) -> int:
        """Forget commands expired before *older_than*: the hub never resends those."""
        return self._db.write(
            "DELETE FROM commands WHERE school = ? AND expires_at < ?", (self._school, older_than)
        ).rowcount

    def stop_issued_at(self, activity_key: str) -> tuple[float, str] | None:
        row = self._db.read(
            "SELECT issued_at, command_id FROM activity_stops WHERE school = ? AND activity_key = ?",
            (self._school, activity_key),
        ).fetchone()
        return None if row is None else (float(row[0]), str(row[1]))

    def record_stop(self, activity_key: str, issued_at: float, command_id: str) -> None:
        self._db.write(
            "INSERT INTO activity_stops (school, activity_key, issued_at, command_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (school, activity_key) DO UPDATE SET issued_at = excluded.issued_at,"
            " command_id = excluded.command_id WHERE excluded.issued_at > activity_stops.issued_at",
            (self._school, activity_key, issued_at, command_id),
        )


class CommandExecutor:
    def __init__(
        self,
        store: CommandStore,
        send_ack: AckSink,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._send_ack = send_ack
        self._clock = clock  # the hub's clock as the agent estimates it (expiry is the hub's)
        self._handlers: dict[str, _Registration] = {}
        self._running: dict[str, tuple[asyncio.Task[None], Command, str | None]] = {}
        self._progress_timers: dict[str, asyncio.TimerHandle] = {}
        self._shut_down = False
        interrupted = store.fail_interrupted()
        if interrupted:
            log.info("%d command(s) interrupted by the previous agent run are reported failed", interrupted)

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def register(
        self,
        action: str,
        handler: Handler,
        *,
        activity: str | None = None,
        role: Literal["start", "stop"] | None = None,
    ) -> None:
        if (activity is None) != (role is None):
            raise ValueError(f"action {action!r}: give both activity and role, or neither")
        if action in self._handlers:
            raise ValueError(f"a handler for action {action!r} is already registered")
        self._handlers[action] = _Registration(handler, activity, role)

    def unregister(self, action: str) -> None:
        self._handlers.pop(action, None)

    def set_clock(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def handle(self, command: Command) -> None:
        """Answer one received command; the work itself runs as a task on the running loop."""
        stored = self._store.get(command.command_id)
        if stored is not None:
            # A resend: answer with what we know, never run again.
            self._answer(stored.command_id, stored.state, stored.reason, stored.result)
            return
        if self._clock() >= command.expires_at:
            self._store.insert(command, "expired", "expired before it reached the school")
            log.info("command %s (%s) arrived expired: not run", command.command_id, command.action)
            self._answer(command.command_id, "expired", "expired before it reached the school", {})
            return
        registration = self._handlers.get(command.action)
        if registration is None:
            reason = f"unknown action {command.action!r}"
            self._store.insert(command, "failed", reason)
            self._answer(command.command_id, "failed", reason, {})
            return
        activity_key = _activity_key(registration, command)
        if registration.role == "start" and activity_key is not None:
            stops = [self._store.stop_issued_at(activity_key), self._store.stop_issued_at(ALL_ACTIVITIES)]
            activity_wide = _activity_wide(activity_key)
            if activity_wide != activity_key:
                stops.append(self._store.stop_issued_at(activity_wide))
            stop = max((s for s in stops if s is not None), default=None)
            if stop is not None and stop[0] >= command.issued_at:
                reason = f"superseded by a later stop ({stop[1]})"
                self._store.insert(command, "failed", reason)
                self._answer(command.command_id, "failed", reason, {})
                return
        # Stored before anything runs: this row is what makes execution at-most-once. The ack and
        # the start wait until it is committed.
        self._store.insert(command, "received")
        if registration.role == "stop" and activity_key is not None:
            self._store.record_stop(activity_key, command.issued_at, command.command_id)
        self._store.after_commit(lambda: self._start(command, registration, activity_key))

    def _answer(self, command_id: str, state: AckState, reason: str, result: Result) -> None:
        """Acknowledge once what the answer reports is durable."""
        self._store.after_commit(lambda: self._send_ack(command_id, state, reason, result))

    def _start(self, command: Command, registration: _Registration, activity_key: str | None) -> None:
        """The "received" row is committed: run the command, and say "received" unless it is done."""
        if self._shut_down:
            return  # stored as received: the next agent run reports it failed, never runs it
        command_id = command.command_id
        if registration.role == "stop" and activity_key is not None:
            self._cancel_earlier_starts(activity_key, command)
        progress = CommandProgress(command_id, self._report_progress)
        task = _start_task(self._run(command, registration, progress))
        if task.done():
            # Finished within its first step (a ping): the final answer, already on its way, says
            # more than "received" would; the hub ranks states. Half the messages for a city-wide
            # quick command.
            return
        self._send_ack(command_id, "received", "", {})
        self._running[command_id] = (
            task,
            command,
            activity_key if registration.role == "start" else None,
        )
        # "executing" is reported for long actions only: a command that finishes within
        # PROGRESS_AFTER_S goes from "received" straight to its final state (the hub ranks states).
        # At city scale that is a third fewer messages per broadcast.
        if not progress.owned:
            self._progress_timers[command_id] = asyncio.get_running_loop().call_later(
                PROGRESS_AFTER_S, self._generic_progress, progress
            )

        def forget(task: asyncio.Task[None]) -> None:
            self._running.pop(command_id, None)
            if not task.cancelled():
                return
            stored = self._store.get(command_id)
            if stored is not None and stored.state not in FINAL_STATES:
                # Cancelled before its coroutine ever ran (a stop in the same instant): still answer.
                self._finish(command_id, "failed", "stopped before it started", {})

        task.add_done_callback(forget)

    def _generic_progress(self, progress: CommandProgress) -> None:
        self._progress_timers.pop(progress.command_id, None)
        if not progress.owned:
            progress.report({})

    def _report_progress(self, command_id: str, result: Result) -> None:
        """A handler's own "executing" (sent at once: it marks a moment, like audio starting)."""
        timer = self._progress_timers.pop(command_id, None)
        if timer is not None:
            timer.cancel()
        self._send_ack(command_id, "executing", "", result)

    def _cancel_earlier_starts(self, activity_key: str, stop: Command) -> None:
        wide = _activity_wide(activity_key) == activity_key
        for task, command, key in list(self._running.values()):
            # The generic stop stops every running command issued before it; an activity's stop
            # only that activity's starts: all of them when it names no instance.
            matches = activity_key == ALL_ACTIVITIES or (
                key is not None and (key == activity_key or (wide and _activity_wide(key) == activity_key))
            )
            if matches and command.command_id != stop.command_id and command.issued_at <= stop.issued_at:
                task.cancel(f"stopped by {stop.command_id}")

    async def _run(self, command: Command, registration: _Registration, progress: CommandProgress) -> None:
        command_id = command.command_id
        set_current(progress)  # this task's context only: the handler finds its progress handle
        state: AckState
        result: Result = {}
        reason = ""
        try:
            remaining = command.expires_at - self._clock()
            if remaining <= 0:
                raise CommandFailed("expired before execution started")
            result = await registration.handler(command.args)
            state = "done"
        except asyncio.CancelledError as exc:
            state, reason = "failed", (str(exc.args[0]) if exc.args else "agent shut down during execution")
            self._finish(command_id, state, reason, result)
            if exc.args:  # cancelled by a STOP: that is an answer, not a shutdown
                return
            raise
        except CommandFailed as exc:
            state, reason = "failed", str(exc)
        except Exception as exc:  # a handler bug must not take the agent down
            log.exception("handler for %r failed on command %s", command.action, command_id)
            state, reason = "failed", f"{type(exc).__name__}: {exc}"
        self._finish(command_id, state, reason, result)

    def _finish(self, command_id: str, state: AckState, reason: str, result: Result) -> None:
        timer = self._progress_timers.pop(command_id, None)
        if timer is not None:
            timer.cancel()
        self._store.update(command_id, state, reason, result)
        self._answer(command_id, state, reason, result)

    async def shutdown(self) -> None:
        self._shut_down = True
        tasks = [t for t, _c, _k in self._running.values()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def _start_task(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """A task that runs its first step now (Python 3.12+): a command that needs no waiting, like a
    ping, finishes without a trip through the loop's queue (thousands arrive in one iteration)."""
    loop = asyncio.get_running_loop()
    if sys.version_info >= (3, 12):
        return asyncio.Task(coro, loop=loop, eager_start=True)
    return loop.create_task(coro)


def _activity_key(registration: _Registration, command: Command) -> str | None:
    if registration.activity is None:
        return None
    if registration.activity == "*":
        return ALL_ACTIVITIES
    instance = command.args.get(f"{registration.activity}_id") or command.args.get("activity_id") or ""
    return f"{registration.activity}:{instance}"


def _activity_wide(activity_key: str) -> str:
    """The key of a stop naming no instance of the activity ("broadcast:")."""
    return activity_key.split(":", 1)[0] + ":"
