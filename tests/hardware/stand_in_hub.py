"""A minimal hub for agent tests: a CURVE ROUTER on 127.0.0.1 that welcomes, acks events and sends commands.

It speaks the protocol types from services.protocol but none of the real hub's machinery, so agent
tests do not depend on the hub's implementation details. It runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import zmq
import zmq.asyncio

from services.protocol import keys
from services.protocol.agent_messages import (
    Command,
    CommandAck,
    Event,
    EventAck,
    Heartbeat,
    Hello,
    Status,
    Welcome,
)
from services.protocol.codec import Decoder, Sequencer, encode, header_fields
from services.protocol.envelope import Message

_decoder = Decoder(Hello, Heartbeat, Status, Event, CommandAck)


@dataclass
class AgentView:
    routing_id: bytes
    school: str
    hellos: int = 0
    heartbeats: int = 0
    statuses: list[Status] = field(default_factory=list)
    acks: list[CommandAck] = field(default_factory=list)
    seq: Sequencer = field(default_factory=Sequencer)


class StandInHub:
    def __init__(self, heartbeat_interval_s: float = 0.2, ack_events: bool = True, port: int = 0) -> None:
        self.server = keys.generate()
        self.heartbeat_interval_s = heartbeat_interval_s
        self.ack_events = ack_events
        self._port = port
        self.ctx = zmq.asyncio.Context()
        self.sock: zmq.asyncio.Socket | None = None
        self.endpoint = ""
        self.agents: dict[str, AgentView] = {}
        self.events: dict[str, Event] = {}  # stored once per event id
        self.event_receipts = 0
        self.hello_order: list[str] = []
        self.received: list[Message] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        sock = self.ctx.socket(zmq.ROUTER)
        sock.curve_server = True
        sock.curve_secretkey = self.server.secret
        sock.curve_publickey = self.server.public
        sock.linger = 0
        sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        if self._port:
            sock.bind(f"tcp://127.0.0.1:{self._port}")
        else:
            self._port = sock.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{self._port}"
        self.sock = sock
        self._task = asyncio.create_task(self._serve())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.sock is not None:
            self.sock.close(linger=0)
        self.ctx.destroy(linger=0)

    def send(self, school: str, message_type: type[Message], **fields: Any) -> None:
        view = self.agents[school]
        assert self.sock is not None
        message = message_type(**header_fields(view.seq.next()), **fields)
        self.sock.send_multipart([view.routing_id, encode(message)])

    def send_command(
        self,
        school: str,
        action: str,
        args: dict[str, Any] | None = None,
        *,
        ttl_s: float = 30.0,
        command_id: str | None = None,
        issued_at: float | None = None,
    ) -> str:
        command_id = command_id or f"c-{time.monotonic_ns()}"
        now = time.time() if issued_at is None else issued_at
        self.send(
            school,
            Command,
            command_id=command_id,
            action=action,
            args=args or {},
            issued_at=now,
            expires_at=now + ttl_s,
            epoch=1,
        )
        return command_id

    def acks_for(self, school: str, command_id: str) -> list[str]:
        return [a.state for a in self.agents[school].acks if a.command_id == command_id]

    async def _serve(self) -> None:
        assert self.sock is not None
        while True:
            routing_id, frame = await self.sock.recv_multipart()
            message = _decoder.decode([frame])
            self.received.append(message)
            if isinstance(message, Hello):
                view = self.agents.get(message.school)
                if view is None:
                    view = self.agents[message.school] = AgentView(routing_id, message.school)
                view.routing_id = routing_id
                view.seq = Sequencer()
                view.hellos += 1
                self.hello_order.append(message.school)
                self.send(
                    message.school,
                    Welcome,
                    hub_version="stand-in",
                    epoch=1,
                    heartbeat_interval_s=self.heartbeat_interval_s,
                    server_time=time.time(),
                )
                continue
            view = next((v for v in self.agents.values() if v.routing_id == routing_id), None)
            if view is None:
                continue
            if isinstance(message, Heartbeat):
                view.heartbeats += 1
            elif isinstance(message, Status):
                view.statuses.append(message)
            elif isinstance(message, CommandAck):
                view.acks.append(message)
            elif isinstance(message, Event):
                self.event_receipts += 1
                self.events.setdefault(message.id, message)
                if self.ack_events:
                    self.send(view.school, EventAck, event_ids=[message.id])


async def wait_for(predicate: Any, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
