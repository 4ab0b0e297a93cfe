"""Live voice from the broadcast page: speech from a WAV source reaches two schools' amplifiers
through the real hub and ends cleanly; a district viewer cannot speak (the page disables it and
the hub refuses a stream anyway); no microphone disables it with the reason; a city-wide
emergency stream is confirmed before its first frame."""

from __future__ import annotations

import array
import math
import threading
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from PySide6.QtCore import Signal
from PySide6.QtMultimedia import QAudioDevice
from sqlalchemy.orm import Session

from console.access.current_operator import CurrentOperator
from console.broadcast.broadcast_page import BroadcastPage
from console.broadcast.live_voice import (
    LiveVoice,
    MicrophoneSource,
    VoicePlan,
    WavFileSource,
)
from console.hub.bridge import HubBridge, HubLink
from services.access.demo_accounts import DEMO_ACCOUNTS, seed_demo_operators
from services.db.engine import open_database
from services.db.repository import list_districts, list_school_summaries
from services.demo_city import seed_demo_city
from services.hub.config import HubConfig
from services.hub.server import Hub
from services.protocol import keys
from tests.console.broadcast.fakes import FakeHub, city
from tests.services.hub.broadcast_city import Schools

pytestmark = pytest.mark.gui

RATE = 16000
MARKERS = 4  # one every 500 ms
HUM, MARKER, ONSET = 1200, 12000, 5000
ACCOUNTS = {a[0]: a for a in DEMO_ACCOUNTS}
DISPATCHER = "demo_dispatcher"
VIEWER = "demo_shinan"


# --- the spoken source ---------------------------------------------------------------------------
def speech_wav(path: Path, seconds: float = 2.0) -> Path:
    """A quiet 220 Hz hum with a loud 40 ms 1 kHz marker at the start of every 500 ms."""
    samples = array.array("h")
    for n in range(int(seconds * RATE)):
        value = HUM * math.sin(2 * math.pi * 220 * n / RATE)
        if n % (RATE // 2) < RATE * 0.04:
            value += MARKER * math.sin(2 * math.pi * 1000 * n / RATE)
        samples.append(int(value))
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(samples.tobytes())
    return path


def onsets(pcm: bytes) -> list[int]:
    """Sample indices where a marker starts (loud after at least 300 ms of no marker)."""
    found: list[int] = []
    last = -RATE
    for i, value in enumerate(array.array("h", pcm)):
        if abs(value) >= ONSET:
            if i - last >= RATE * 0.3:
                found.append(i)
            last = i
    return found


def rms(pcm: bytes) -> float:
    samples = array.array("h", pcm)
    return math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))


def decode(frames: list[dict[str, Any]]) -> bytes:
    decoder = av.CodecContext.create("libopus", "r")
    decoder.sample_rate = RATE  # type: ignore[attr-defined]
    decoder.layout = "mono"  # type: ignore[attr-defined]
    out = b""
    for fields in frames:
        for frame in decoder.decode(av.Packet(fields["opus"])):  # type: ignore[attr-defined]
            array_ = frame.to_ndarray()
            if array_.dtype.kind == "f":
                array_ = (array_ * 32767).astype("int16")
            out += array_.astype("int16").tobytes()
    return out


# --- a page on a fake voice link -----------------------------------------------------------------
class FakeVoiceHub(FakeHub):
    """The fake hub plus the bridge's voice path: frames recorded (from the encoder thread)."""

    voiceRefused = Signal(str, str)

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def send_voice_frame(self, fields: dict[str, Any]) -> None:
        assert threading.current_thread() is not threading.main_thread()  # never the GUI thread
        with self._lock:
            self.frames.append(dict(fields))

    def sent_frames(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.frames)


@pytest.fixture
def voice_page(qtbot, tmp_path: Path, db_bridge, catalog) -> Iterator[Callable[..., BroadcastPage]]:
    pages: list[BroadcastPage] = []

    def make(permissions: list[str], source: Any, ask: Callable[[str, int], bool]) -> BroadcastPage:
        hub = FakeVoiceHub()
        operator = CurrentOperator()
        operator.set_from_login({"username": "li", "role": "dispatcher", "permissions": permissions})
        page = BroadcastPage(
            hub, db_bridge, operator, tmp_path / "data", catalog=catalog, ask=ask, voice_source=lambda: source
        )
        qtbot.addWidget(page)
        page.set_city(*city())
        page.fake_hub = hub  # type: ignore[attr-defined]
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.shutdown()


ALL = ["view", "broadcast_routine", "broadcast_drill", "broadcast_emergency", "city_wide"]


def test_a_city_wide_emergency_live_voice_is_confirmed_before_the_first_frame(qtbot, voice_page, tmp_path):
    asked: list[tuple[str, int]] = []
    answers = [False, True]

    def ask(text: str, schools: int) -> bool:
        asked.append((text, schools))
        return answers.pop(0)

    page = voice_page(ALL, WavFileSource(speech_wav(tmp_path / "speech.wav", 1.0)), ask)
    hub: FakeVoiceHub = page.fake_hub  # type: ignore[attr-defined]
    page.target.set_whole_city(True)
    assert page.options.set_priority("emergency")
    panel = page.live_voice
    assert panel.toggle_button.isEnabled(), panel.problem
    panel.toggle_button.click()  # declined
    assert asked == [("Emergency live voice", 6)] and not panel.voice.speaking
    qtbot.wait(200)
    assert hub.sent_frames() == []
    assert "not confirmed" in panel.state_label.text()
    panel.toggle_button.click()  # confirmed
    assert len(asked) == 2 and panel.voice.speaking
    source = panel.voice.source
    assert isinstance(source, WavFileSource)
    qtbot.waitUntil(lambda: source.finished, timeout=10_000)
    panel.toggle_button.click()
    qtbot.waitUntil(lambda: not panel.voice.busy, timeout=10_000)
    frames = hub.sent_frames()
    assert [f["frame_seq"] for f in frames] == list(range(len(frames)))
    assert [f["end"] for f in frames] == [False] * (len(frames) - 1) + [True]
    assert len(frames) >= 50  # one second of 20 ms frames
    first = frames[0]
    assert first["target"] == {"schools": [], "districts": [], "all": True}
    assert (first["priority"], first["zones"], first["drill"]) == ("emergency", [], False)
    assert len({f["stream_id"] for f in frames}) == 1
    heard = decode(frames)
    assert len(onsets(heard)) == 2  # the two markers of one second, decoded from what was sent


def test_push_to_talk_speaks_while_held(qtbot, voice_page, tmp_path):
    page = voice_page(ALL, WavFileSource(speech_wav(tmp_path / "speech.wav", 3.0)), lambda _t, _n: True)
    hub: FakeVoiceHub = page.fake_hub  # type: ignore[attr-defined]
    page.target.add_schools(["QD0001"])
    assert page.options.set_priority("routine")
    panel = page.live_voice
    panel.talk_button.pressed.emit()
    assert panel.voice.speaking
    assert panel.toggle_button.text() == "Stop talking"
    qtbot.waitUntil(lambda: len(hub.sent_frames()) >= 20, timeout=5000)
    qtbot.waitUntil(lambda: panel.meter.value() > 0, timeout=2000)
    panel.talk_button.released.emit()
    assert not panel.voice.speaking and panel.meter.value() == 0
    qtbot.waitUntil(lambda: not panel.voice.busy, timeout=10_000)
    frames = hub.sent_frames()
    assert frames[-1]["end"] and frames[0]["target"]["schools"] == ["QD0001"]
    assert len(frames) < 150  # released before the three seconds were over


def test_a_district_viewer_cannot_start_live_voice_on_the_page(qtbot, voice_page, tmp_path):
    asked: list[object] = []
    page = voice_page(
        ["view"], WavFileSource(speech_wav(tmp_path / "speech.wav", 1.0)), lambda *a: asked.append(a) or True
    )
    page.target.add_schools(["QD0001"])
    panel = page.live_voice
    assert not panel.toggle_button.isEnabled() and not panel.talk_button.isEnabled()
    assert panel.toggle_button.toolTip() == "Your role does not allow live voice."
    assert panel.start(hold=False) is False
    qtbot.wait(200)
    assert page.fake_hub.sent_frames() == [] and asked == []  # type: ignore[attr-defined]


def test_without_a_microphone_the_buttons_are_disabled_with_the_reason(qtbot, voice_page, caplog):
    page = voice_page(ALL, MicrophoneSource(device=QAudioDevice), lambda _t, _n: True)
    page.target.add_schools(["QD0001"])
    panel = page.live_voice
    # The microphone is looked for at the first press, not when the page is built.
    assert panel.toggle_button.isEnabled() and panel.talk_button.isEnabled()
    assert panel.start(hold=False) is False and not panel.voice.speaking
    reason = "No microphone on this computer: live voice is not available."
    assert not panel.toggle_button.isEnabled() and not panel.talk_button.isEnabled()
    assert panel.toggle_button.toolTip() == reason and panel.state_label.text() == reason
    assert panel.start(hold=False) is False
    qtbot.wait(200)
    assert page.fake_hub.sent_frames() == []  # type: ignore[attr-defined]
    assert any("no microphone" in r.getMessage() for r in caplog.records if r.levelname == "INFO")


# --- through the real hub to two schools ----------------------------------------------------------
@pytest.fixture
def city_hub(tmp_path: Path) -> Iterator[tuple[Hub, keys.KeyPair, str]]:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    engine = open_database(url)
    try:
        seed_demo_city(engine, schools=40)
        with Session(engine) as session, session.begin():
            seed_demo_operators(session)
    finally:
        engine.dispose()
    console_keys = keys.load_or_create(tmp_path / "console" / "console.key")
    hub = Hub(
        HubConfig(
            database_url=url,
            key_dir=tmp_path / "hub",
            agent_endpoint="tcp://127.0.0.1:0",
            enroll_endpoint="tcp://127.0.0.1:0",
            console_endpoint="tcp://127.0.0.1:0",
            console_public_keys=(console_keys.public,),
            console_update_interval_s=0.05,
            ledger_flush_interval_s=0.05,
        )
    )
    hub.start()
    try:
        yield hub, console_keys, url
    finally:
        hub.stop()


@pytest.fixture
def logged_in(qtbot, city_hub) -> Iterator[Callable[[str], HubBridge]]:
    hub, console_keys, _url = city_hub
    bridges: list[HubBridge] = []

    def login(username: str) -> HubBridge:
        bridge = HubBridge()
        bridges.append(bridge)
        link = HubLink(hub.console_endpoint, hub.public_key, console_keys, "voice console", username)
        with qtbot.waitSignal(bridge.connectionChanged, timeout=10_000, check_params_cb=lambda up, _d: up):
            bridge.start(link)
        with qtbot.waitSignal(bridge.loggedIn, timeout=10_000) as got:
            bridge.login(username, ACCOUNTS[username][4])
        bridge.login_result = got.args[0]  # type: ignore[attr-defined]
        return bridge

    yield login
    for bridge in bridges:
        bridge.shutdown()


@pytest.mark.slow
def test_speech_from_the_console_reaches_two_schools_and_ends_cleanly(
    qtbot, city_hub, logged_in, db_bridge, catalog, tmp_path
):
    hub, _keys, url = city_hub
    engine = open_database(url)
    try:
        districts, schools = list_districts(engine), list_school_summaries(engine)
    finally:
        engine.dispose()
    first_district = schools[0].district_id
    codes = [s.code for s in schools if s.district_id == first_district][:2]
    assert len(codes) == 2
    bridge = logged_in(DISPATCHER)
    operator = CurrentOperator()
    operator.set_from_login(bridge.login_result)  # type: ignore[attr-defined]
    source = WavFileSource(speech_wav(tmp_path / "speech.wav", 2.0))
    page = BroadcastPage(
        bridge, db_bridge, operator, tmp_path / "data", catalog=catalog, voice_source=lambda: source
    )
    qtbot.addWidget(page)
    made = Schools(hub, tmp_path / "schools")
    try:
        for code in codes:
            made.enroll(code)
            made.start(code)
        page.set_city(districts, schools)
        page.target.add_schools(codes)
        assert page.options.set_priority("routine")
        panel = page.live_voice
        assert panel.toggle_button.isEnabled(), panel.problem
        panel.toggle_button.click()
        stream_id = panel.voice.stream_id
        assert stream_id and panel.voice.speaking
        qtbot.waitUntil(lambda: source.finished, timeout=10_000)
        assert panel.elapsed_label.text() in ("00:01", "00:02", "00:03")
        panel.toggle_button.click()
        qtbot.waitUntil(lambda: not panel.voice.busy, timeout=10_000)
        qtbot.waitUntil(lambda: all(made.pas[c].played for c in codes), timeout=10_000)
        for code in codes:
            [(play_id, outcome, pcm)] = made.heard(code)
            assert (play_id, outcome) == (stream_id, "done")  # ended by the end frame, not cut off
            assert made.pas[code].playing == []
            assert len(pcm) >= 2 * RATE * 2 * 0.9  # about the two seconds spoken
            assert len(onsets(pcm)) == MARKERS  # every marker heard, nothing extra
            assert rms(pcm) > HUM  # the speech, not silence
    finally:
        page.shutdown()
        made.close()


@pytest.mark.slow
@pytest.mark.expect_log(r"live voice voice-\w+ from console .* refused: the role district_viewer may not")
def test_the_hub_refuses_a_district_viewers_stream_and_the_console_stops(
    qtbot, city_hub, logged_in, tmp_path, caplog
):
    bridge = logged_in(VIEWER)
    voice = LiveVoice(bridge, WavFileSource(speech_wav(tmp_path / "speech.wav", 3.0)))
    reasons: list[str] = []
    voice.stopped.connect(reasons.append)
    plan = VoicePlan(
        target={"schools": ["QD0001"], "districts": [], "all": False},
        priority="routine",
        zones=[],
        drill=False,
        schools=1,
        wide=False,
    )
    try:
        assert voice.start(plan)
        qtbot.waitUntil(lambda: bool(reasons), timeout=5000)
        assert "may not speak live" in reasons[0] and not voice.speaking
        assert any("refused" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    finally:
        voice.shutdown()
