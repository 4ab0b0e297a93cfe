"""SchoolAgent: the school end of the network, on asyncio so many can share one event loop.

Production runs one agent per process (`safecampus-agent run`); the fleet simulator runs thousands
in a few processes with simulated adapters. The agent glues together the hub connection, the
durable outbox, the command executor and the supervised device adapters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Mapping, Sequence
from typing import Any

import zmq.asyncio

from hardware.adapters.base import CommandFailed, DeviceAdapter, DeviceEvent
from hardware.agent import AGENT_VERSION
from hardware.agent.config import AgentConfig
from hardware.agent.connection import ConnectionSettings, HubConnection
from hardware.agent.executor import AckState, CommandExecutor, CommandStore, Result
from hardware.agent.outbox import Outbox
from hardware.agent.storage import AgentDb, SyncMode, open_agent_db
from hardware.broadcast.sink import VoiceSink
from hardware.simulators.pa_sim import SimulatedPa
from hardware.supervisor import AdapterSupervisor, SupervisorPolicy
from services.protocol.agent_messages import (
    ArgValue,
    Command,
    CommandAck,
    Event,
    EventAck,
    Hello,
    Status,
    VoiceFrame,
    Welcome,
)
from services.protocol.envelope import Message
from services.protocol.keys import KeyPair, load

log = logging.getLogger(__name__)

SEND_WINDOW = 200  # events in flight (sent, not yet acknowledged) per session


class SchoolAgent:
    def __init__(
        self,
        config: AgentConfig,
        *,
        adapters: Sequence[DeviceAdapter] | None = None,
        context: zmq.asyncio.Context | None = None,
        keys: KeyPair | None = None,
        supervisor_policy: SupervisorPolicy | None = None,
        ack_timeout_s: float = 60.0,
        store: AgentDb | None = None,
    ) -> None:
        """*store*: a store shared with other agents of this process (the fleet), rows scoped by the
        school; by default the agent opens its own file (`config.outbox`)."""
        self.config = config
        self.school = config.school
        self.adapters = list(adapters) if adapters is not None else config.build_adapters()
        self._ctx = context
        self._owns_ctx = context is None
        self._keys = keys
        self._policy = supervisor_policy or SupervisorPolicy(poll_interval_s=config.health_poll_s)
        self._ack_timeout_s = ack_timeout_s
        self._shared_store = store
        self._db: AgentDb | None = None
        self._clock_offset = 0.0
        self._inflight: dict[str, float] = {}  # event id -> monotonic send time, this session
        self._flush_scheduled = False
        self._stopped = asyncio.Event()
        self.supervisors: list[AdapterSupervisor] = []
        self.outbox: Outbox | None = None
        self.executor: CommandExecutor | None = None
        self.connection: HubConnection | None = None
        self.events_raised = 0
        self.last_welcome: Welcome | None = None
        # Live voice goes to every adapter that plays it (the PA); frames are not commands.
        self._voice_sinks = [a for a in self.adapters if isinstance(a, VoiceSink)]
        self._voice_refused: set[str] = set()  # streams already logged as unplayable here

    # --- public ---------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.welcomed

    def hub_time(self) -> float:
        """Now on the hub's clock (estimated at welcome): command expiry is the hub's."""
        return time.time() + self._clock_offset

    def raise_event(
        self,
        kind: str,
        *,
        priority: str = "normal",
        source: str = "operator",
        details: dict[str, ArgValue] | None = None,
    ) -> str:
        """Store an event durably and send it when the hub is reachable; returns its id."""
        if self.outbox is None:
            raise RuntimeError("the agent is not running")
        event_id = self.outbox.add_event(kind, priority=priority, source=source, details=details)
        self.events_raised += 1
        self._schedule_flush()
        return event_id

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        """Run until `stop()` (or cancellation); never raises because of hub or device trouble."""
        config = self.config
        keys = self._keys or load(config.key_file)
        sync: SyncMode = "normal" if config.outbox_sync == "normal" else "full"
        if self._shared_store is not None:
            db, scope = self._shared_store, self.school
        else:
            # In a thread: creating the file and its WAL waits on the disk.
            db, scope = await asyncio.to_thread(open_agent_db, config.outbox, sync), ""
        self._db = db
        ctx = self._ctx or zmq.asyncio.Context()
        tasks: list[asyncio.Task[None]] = []
        try:
            self.outbox = Outbox(db, school=scope)
            store = CommandStore(db, school=scope)
            store.prune(time.time() - 7 * 86400)
            self.executor = CommandExecutor(store, self._send_ack, self.hub_time)
            self._register_builtin(self.executor)
            self.connection = HubConnection(
                ctx,
                ConnectionSettings(
                    endpoint=config.agent_endpoint,
                    server_key=config.hub_public_key,
                    keys=keys,
                    hello_timeout_s=config.hello_timeout_s,
                    zmq_heartbeat_s=config.zmq_heartbeat_s,
                    ack_timeout_s=self._ack_timeout_s,
                    backoff_initial_s=config.backoff_initial_s,
                    backoff_max_s=config.backoff_max_s,
                ),
                make_hello=self._make_hello,
                on_welcome=self._on_welcome,
                on_message=self._on_message,
                heartbeat_backlog=lambda: self.outbox.event_count() if self.outbox else 0,
                oldest_unacked=lambda: min(self._inflight.values(), default=None),
                name=f"agent {config.school}",
            )
            for adapter in self.adapters:
                adapter.bind(self._on_device_event)
                supervisor = AdapterSupervisor(
                    adapter, self._on_device_status, self._on_device_event, self._policy
                )
                self.supervisors.append(supervisor)
                for action, spec in adapter.commands().items():
                    self.executor.register(action, spec.handler, activity=spec.activity, role=spec.role)
                tasks.append(asyncio.create_task(supervisor.run(), name=f"supervise-{adapter.device_id}"))
            tasks.append(asyncio.create_task(self.connection.run(), name=f"connection-{config.school}"))
            await self._stopped.wait()
        finally:
            if self.connection is not None:
                self.connection.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.executor is not None:
                await self.executor.shutdown()
            if self._shared_store is None:
                db.close()
            if self._owns_ctx:
                ctx.destroy(linger=0)

    # --- connection callbacks -------------------------------------------------------------

    def _make_hello(self, header: dict[str, Any]) -> Hello:
        assert self.outbox is not None and self.executor is not None
        zones: list[str] = []
        for adapter in self.adapters:
            zones.extend(getattr(adapter, "zones", []) if adapter.kind == "pa" else [])
        store_last = self.executor._store.last_command_id()
        return Hello(
            **header,
            school=self.school,
            agent_version=AGENT_VERSION,
            last_command_id=store_last,
            devices=self.outbox.all_status(),
            pa_zones=zones,
        )

    def _on_welcome(self, welcome: Welcome) -> None:
        assert self.outbox is not None
        self.last_welcome = welcome
        self._clock_offset = welcome.server_time - time.time()
        self._inflight.clear()
        # Hello carried every device's status; only later changes need a status message.
        pending = self.outbox.pending_status()
        self.outbox.mark_status_sent(pending.versions)
        log.info("agent %s: session with hub (epoch %d)", self.school, welcome.epoch)
        self._flush_when_stored()

    def _on_message(self, message: Message) -> None:
        if isinstance(message, EventAck):
            assert self.outbox is not None
            self.outbox.ack(message.event_ids)
            for event_id in message.event_ids:
                self._inflight.pop(event_id, None)
            self._schedule_flush()
        elif isinstance(message, Command):
            assert self.executor is not None
            self.executor.handle(message)
        elif isinstance(message, VoiceFrame):
            self._on_voice_frame(message)
        else:
            log.info("agent %s: %s from the hub ignored", self.school, type(message).__name__)

    def _on_voice_frame(self, frame: VoiceFrame) -> None:
        if not self._voice_sinks:
            if frame.stream_id not in self._voice_refused and len(self._voice_refused) < 64:
                self._voice_refused.add(frame.stream_id)
                log.info("agent %s: live voice %s ignored: no PA here", self.school, frame.stream_id)
            return
        for sink in self._voice_sinks:
            sink.voice_frame(frame)

    def _send_ack(self, command_id: str, state: AckState, reason: str, result: Result) -> None:
        if self.connection is not None:
            self.connection.send(CommandAck, command_id=command_id, state=state, reason=reason, result=result)

    # --- outbox flushing ------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush_when_stored)

    def _flush_when_stored(self) -> None:
        # An event is sent only once it is committed (a shared store commits once per iteration).
        self._flush_scheduled = False
        if self._db is not None:
            self._db.after_commit(self._flush)

    def _flush(self) -> None:
        """Send what the outbox holds: alarms, then other events, then changed device status."""
        if self.outbox is None or self.connection is None or not self.connection.welcomed:
            return
        room = SEND_WINDOW - len(self._inflight)
        if room > 0:
            for event in self.outbox.backlog(room, exclude=frozenset(self._inflight)):
                sent = self.connection.send(
                    Event,
                    msg_id=event.event_id,
                    kind=event.kind,
                    occurred_at=event.occurred_at,
                    priority=event.priority,
                    source=event.source,
                    details=event.details,
                )
                if not sent:
                    return
                self._inflight[event.event_id] = time.monotonic()
        pending = self.outbox.pending_status()
        if pending.devices and self.connection.send(Status, devices=pending.devices):
            self.outbox.mark_status_sent(pending.versions)

    # --- devices --------------------------------------------------------------------------

    def _on_device_event(self, adapter: DeviceAdapter, event: DeviceEvent) -> None:
        if self.outbox is None:
            return
        self.outbox.add_event(
            event.kind, priority=event.priority, source=adapter.device_id, details=event.details
        )
        self.events_raised += 1
        self._schedule_flush()

    def _on_device_status(self, status: Any) -> None:
        if self.outbox is not None and self.outbox.set_status(status):
            self._schedule_flush()

    # --- built-in commands ----------------------------------------------------------------

    def _register_builtin(self, executor: CommandExecutor) -> None:
        executor.register("ping", self._ping)
        executor.register("device_check", self._device_check)
        executor.register("sleep", self._sleep, activity="sleep", role="start")
        executor.register("sleep_stop", self._sleep_stop, activity="sleep", role="stop")
        executor.register("stop", self._sleep_stop, activity="*", role="stop")

    async def _ping(self, _args: Mapping[str, ArgValue]) -> Result:
        return {"pong": True}

    async def _device_check(self, _args: Mapping[str, ArgValue]) -> Result:
        result: Result = {}
        for supervisor in self.supervisors:
            try:
                status = await asyncio.wait_for(supervisor.adapter.health(), self._policy.health_timeout_s)
                state: str = status.state
            except Exception as exc:  # the check reports; the supervisor does the restart
                state = f"fault: {type(exc).__name__}"
            result[supervisor.adapter.device_id] = state
            supervisor.poll_now()
        return result

    async def _sleep(self, args: Mapping[str, ArgValue]) -> Result:
        seconds = args.get("seconds", 1.0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise CommandFailed("'seconds' must be a non-negative number")
        await asyncio.sleep(float(seconds))
        return {"slept": float(seconds)}

    async def _sleep_stop(self, _args: Mapping[str, ArgValue]) -> Result:
        return {"stopped": True}

    def pa_adapters(self) -> list[SimulatedPa]:
        return [a for a in self.adapters if isinstance(a, SimulatedPa)]


async def run_until_signalled(agent: SchoolAgent) -> None:
    """Run one agent in its own process until SIGINT/SIGTERM (production)."""
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, agent.stop)
    log.info("agent %s on %s starting (%s)", agent.school, socket.gethostname(), AGENT_VERSION)
    await agent.run()
