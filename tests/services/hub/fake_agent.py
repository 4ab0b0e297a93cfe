"""A test-only school agent: raw pyzmq DEALER + CURVE, speaking docs/protocol.md by hand."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
import zmq

from services.protocol.agent_messages import (
    Command,
    Enroll,
    EnrollReply,
    EnrollStatus,
    Error,
    EventAck,
    Hello,
    Welcome,
)
from services.protocol.codec import Sequencer, encode, header_fields
from services.protocol.envelope import Message
from services.protocol.keys import KeyPair, generate

if TYPE_CHECKING:
    from services.hub.server import Hub

FromHub = Welcome | Command | EventAck | Error | EnrollReply
_decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(FromHub)


class FakeAgent:
    def __init__(
        self,
        endpoint: str,
        server_key: bytes,
        keypair: KeyPair | None = None,
        context: zmq.Context | None = None,
    ) -> None:
        self.keypair = keypair or generate()
        self.context = context or zmq.Context.instance()
        self.sock = self.context.socket(zmq.DEALER)
        self.sock.curve_serverkey = server_key
        self.sock.curve_publickey = self.keypair.public
        self.sock.curve_secretkey = self.keypair.secret
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RECONNECT_IVL, 100)
        self.sock.connect(endpoint)
        self.seq = Sequencer()
        self.inbox: list[Any] = []

    @property
    def key(self) -> str:
        return self.keypair.public.decode()

    def send(self, cls: type[Message], **fields: Any) -> str:
        header = header_fields(self.seq.next(), fields.pop("msg_id", None))
        self.sock.send(encode(cls(**fields, **header)))
        return str(header["id"])

    def try_send(self, cls: type[Message], **fields: Any) -> bool:
        """Send unless the connection is down (a real agent keeps it in its outbox then)."""
        header = header_fields(self.seq.next(), fields.pop("msg_id", None))
        try:
            self.sock.send(encode(cls(**fields, **header)), zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True

    def send_raw(self, *frames: bytes) -> None:
        self.sock.send_multipart(list(frames))

    def recv(self, timeout: float = 2.0) -> Any | None:
        if self.inbox:
            return self.inbox.pop(0)
        if not self.sock.poll(int(timeout * 1000)):
            return None
        return _decoder.decode(self.sock.recv())

    def recv_type(self, cls: type, timeout: float = 3.0, **match: Any) -> Any:
        """The next message of type *cls* (with the given field values); others are kept."""
        deadline = time.monotonic() + timeout
        kept = []
        try:
            for i, msg in enumerate(list(self.inbox)):
                if isinstance(msg, cls) and all(getattr(msg, k) == v for k, v in match.items()):
                    del self.inbox[i]
                    return msg
            while (remaining := deadline - time.monotonic()) > 0:
                if not self.sock.poll(int(remaining * 1000)):
                    break
                msg = _decoder.decode(self.sock.recv())
                if isinstance(msg, cls) and all(getattr(msg, k) == v for k, v in match.items()):
                    return msg
                kept.append(msg)
            raise AssertionError(f"no {cls.__name__} {match} within {timeout} s; got {kept + self.inbox}")
        finally:
            self.inbox.extend(kept)

    def drain(self, timeout: float = 0.3) -> list[Any]:
        got = list(self.inbox)
        self.inbox.clear()
        while self.sock.poll(int(timeout * 1000)):
            got.append(_decoder.decode(self.sock.recv()))
        return got

    def hello(self, school: str, timeout: float = 3.0, pa_zones: list[str] | None = None) -> Welcome:
        self.send(Hello, school=school, agent_version="fake-1", pa_zones=pa_zones or [])
        return self.recv_type(Welcome, timeout)

    def enroll(self, school: str, token: str, timeout: float = 3.0) -> EnrollReply:
        self.send(Enroll, school=school, token=token, agent_version="fake-1", hostname="test")
        return self.recv_type(EnrollReply, timeout)

    def enroll_status(self, school: str, timeout: float = 3.0) -> Any:
        self.send(EnrollStatus, school=school)
        return self.recv(timeout)

    def close(self) -> None:
        self.sock.close(linger=0)


def enroll_pending(hub: Hub, make_agent: Callable[..., FakeAgent], school: str) -> FakeAgent:
    """A fake agent whose enrollment for *school* waits for an administrator."""
    token = hub.create_enrollment_token(school, operator="test")
    enroller = make_agent(hub.enroll_endpoint, hub.public_key)
    reply = enroller.enroll(school, token)
    assert reply.status == "pending", reply
    return enroller


def enroll_accepted(hub: Hub, make_agent: Callable[..., FakeAgent], school: str) -> FakeAgent:
    """A fake agent enrolled through the enrollment socket and accepted; connected to the agent socket."""
    enroller = enroll_pending(hub, make_agent, school)
    hub.decide_enrollment(enroller.keypair.public, "accept", operator="admin")
    return make_agent(hub.agent_endpoint, hub.public_key, enroller.keypair)
