"""Live voice through the hub: a console's Opus frames reach two schools' amplifiers and the
stream ends cleanly; a stream the operator may not send is refused once and never relayed."""

from __future__ import annotations

import array
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest
from sqlalchemy.orm import Session

from services.access import accounts
from services.access.roles import Role
from services.db.engine import open_database
from services.hub.server import Hub
from services.hub_client import HubClient
from services.protocol.agent_messages import Error
from services.protocol.keys import generate
from tests.hardware.agent.test_with_hub import seed_schools
from tests.services.hub.broadcast_city import Schools, local_console

pytestmark = pytest.mark.slow
CODES = ["QD-0001", "QD-0002", "QD-0003"]
FRAMES = 50  # one second
CONSOLE = generate()
PASSWORD = "voice-Pass-2026"


def opus_frames(frames: int) -> list[bytes]:
    """20 ms Opus frames (16 kHz mono) of a 440 Hz tone, as a microphone would give them."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = 16000
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.bit_rate = 32000
    encoder.open()
    packets: list[bytes] = []
    for k in range(frames + 3):  # a few extra frames flush the encoder's look-ahead
        samples = array.array(
            "h", (int(6000 * math.sin(2 * math.pi * 440 * (k * 320 + i) / 16000)) for i in range(320))
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=320)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate = 16000
        frame.pts = k * 320
        packets += [bytes(p) for p in encoder.encode(frame)]
    return packets[:frames]


@pytest.fixture
def hub(database_url: str, hub_factory: Callable[..., Hub]) -> Hub:  # the database outlives the hub
    seed_schools(database_url, CODES)
    engine = open_database(database_url)
    try:
        with Session(engine) as session, session.begin():
            accounts.create_operator(
                session, "viewer", "viewer", Role.DISTRICT_VIEWER, PASSWORD, district_code="370202"
            )
    finally:
        engine.dispose()
    return hub_factory(database_url, console_public_keys=(CONSOLE.public,))


@pytest.fixture
def schools(hub: Hub, tmp_path: Path) -> Iterator[Schools]:
    made = Schools(hub, tmp_path / "schools")
    try:
        for code in CODES[:2]:
            made.enroll(code)
            made.start(code)
        yield made
    finally:
        made.close()


def speak(client: HubClient, stream_id: str, frames: list[bytes], **extra: object) -> None:
    for seq, opus in enumerate(frames):
        client.send_voice_frame(
            stream_id,
            seq,
            time.time(),
            opus,
            target={"schools": CODES[:2]},
            priority="routine",
            end=seq == len(frames) - 1,
            **extra,  # type: ignore[arg-type]
        )
        time.sleep(0.02)


def test_live_voice_reaches_two_schools_and_stops_cleanly(hub, schools, tmp_path) -> None:
    client = local_console(hub, tmp_path / "keys")
    try:
        speak(client, "voice-1", opus_frames(FRAMES))
        for code in CODES[:2]:
            schools.wait(lambda c=code: schools.pas[c].played, f"{code} finished the stream", 10)
    finally:
        client.close()
    for code in CODES[:2]:
        [(play_id, outcome, samples)] = schools.heard(code)
        assert (play_id, outcome) == ("voice-1", "done")
        record = schools.pas[code].played[0]
        assert record.kind == "voice" and record.dropouts == 0
        assert len(samples) >= FRAMES * 320 * 2 * 0.9  # about one second heard
        tone = array.array("h", samples[len(samples) // 4 : len(samples) // 2])
        assert math.sqrt(sum(s * s for s in tone) / len(tone)) > 2000  # the tone, not silence
        assert schools.pas[code].playing == []


@pytest.mark.expect_log(r"live voice voice-2 from console .* refused: the role district_viewer may not")
def test_a_stream_the_operator_may_not_send_is_refused_once_and_never_relayed(hub, schools, caplog) -> None:
    client = HubClient(hub.console_endpoint, hub.public_key, CONSOLE, "viewer console", "viewer")
    try:
        client.connect()
        client.login("viewer", PASSWORD)
        speak(client, "voice-2", opus_frames(10))
        errors = [e for e in client.poll(1.0) if isinstance(e, Error)]
    finally:
        client.close()
    assert [e.code for e in errors] == ["forbidden"]
    refusals = [r for r in caplog.records if r.levelname == "WARNING" and "voice-2" in r.getMessage()]
    assert len(refusals) == 1
    time.sleep(0.5)
    for code in CODES[:2]:
        assert schools.pas[code].played == [] and schools.pas[code].playing == []
