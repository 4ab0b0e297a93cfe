"""Live voice: Opus frames encoded here with PyAV reach the simulated amplifier in order."""

from __future__ import annotations

import array
import asyncio
import base64
import itertools
import math
import time

import av
import pytest

from hardware.simulators.pa_sim import SimulatedPa
from services.protocol.agent_messages import VoiceFrame
from services.protocol.codec import header_fields
from tests.hardware.broadcast.helpers import Acks, clip, command, executor_for, put_args, read_wav, tone_pcm
from tests.hardware.stand_in_hub import wait_for

FRAMES = 40  # 0.8 s of speech-band audio


def _encoded_ramp(frames: int) -> list[bytes]:
    """20 ms Opus frames of a 440 Hz tone whose level rises frame by frame (so order shows)."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = 16000
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.bit_rate = 32000
    encoder.open()
    packets: list[bytes] = []
    for k in range(frames + 3):  # a few extra frames flush the encoder's look-ahead
        level = 400 * (k + 1) if k < frames else 0
        samples = array.array(
            "h", (int(level * math.sin(2 * math.pi * 440 * (k * 320 + i) / 16000)) for i in range(320))
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=320)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate = 16000
        frame.pts = k * 320
        packets += [bytes(p) for p in encoder.encode(frame)]
    return packets[:frames]


def _frame(stream_id, seq, opus, *, priority="routine", end=False):
    return VoiceFrame(
        **header_fields(seq + 1),
        stream_id=stream_id,
        frame_seq=seq,
        captured_at=time.time(),
        opus=base64.b64encode(opus).decode(),
        priority=priority,
        zones=[],
        drill=False,
        end=end,
    )


def _rms(pcm: bytes) -> float:
    samples = array.array("h", pcm)
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def test_live_voice_is_reordered_by_the_jitter_buffer_and_a_lost_frame_is_counted(tmp_path):
    # Swapped neighbours arrive 20 ms late and 20 ms early: 40 ms of spread, beyond the default
    # target's cushion, so this school's buffer is set to 60 ms as a jittery link would have it.
    pa = SimulatedPa("pa-1", record_dir=tmp_path / "wav", jitter_target_s=0.06)
    packets = _encoded_ramp(FRAMES)
    order = list(range(FRAMES))
    for i in range(4, FRAMES - 2, 6):
        order[i], order[i + 1] = order[i + 1], order[i]  # the network swaps neighbours now and then
    order.remove(17)  # and loses one frame

    async def scenario():
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n, seq in enumerate(order):
            pa.voice_frame(_frame("S1", seq, packets[seq], end=(n == len(order) - 1)))
            # On a fixed 20 ms grid, so a slow wake-up does not push every later frame back.
            await asyncio.sleep(max(0.0, start + (n + 1) * 0.02 - loop.time()))
        await wait_for(lambda: pa.played, timeout=3, what="the voice stream ended")

    asyncio.run(scenario())
    [record] = pa.played
    assert record.kind == "voice" and record.play_id == "S1" and record.outcome == "done"
    # The lost frame is one dropout. A frame this test's sender delivered after its slot (a busy
    # machine) is concealed and counted too, as it should be; it is counted as late as well.
    assert record.voice is not None
    late = record.voice["late"]
    assert late <= 2, record.voice
    assert record.dropouts == 1 + late and pa.engine.voice_stats.dropouts == 1 + late
    heard = read_wav(tmp_path / "wav" / record.wav)
    assert abs(len(heard) - FRAMES * 640) <= 640  # every slot played once (the lost one concealed)
    # In order: the level rises through the stream (a swap would not change quarters, a wrong order would).
    quarters = [_rms(heard[i * len(heard) // 4 : (i + 1) * len(heard) // 4]) for i in range(4)]
    assert quarters == sorted(quarters) and quarters[0] > 300
    windows = [_rms(heard[i : i + 640]) for i in range(0, len(heard) - 640, 640)]
    rising = sum(1 for a, b in itertools.pairwise(windows[2:]) if b >= a * 0.9)
    assert rising >= len(windows) - 8  # level rises frame after frame, but for the concealed slot


def test_emergency_live_voice_interrupts_a_routine_broadcast_and_ends_after_silence(tmp_path, open_db):
    pa = SimulatedPa("pa-1", record_dir=tmp_path / "wav")
    sha, data = clip(tone_pcm(300, 3.0))
    packets = _encoded_ramp(10)
    acks = Acks()

    async def scenario():
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        for i, offset in enumerate(range(0, len(data), 40_000)):
            ex.handle(command(f"p{i}", "clip_put", put_args(sha, data, offset, 40_000)))
        await wait_for(lambda: acks.final(f"p{i}") is not None, what="clip stored")
        ex.handle(
            command(
                "r", "broadcast_start", {"broadcast_id": "R", "clip": sha, "priority": "routine", "zones": []}
            )
        )
        await wait_for(lambda: len(acks.of("r")) >= 2, what="routine playing")
        started = time.monotonic()
        for seq, packet in enumerate(packets):  # no end frame: the talker just stops
            pa.voice_frame(_frame("V1", seq, packet, priority="emergency"))
            await asyncio.sleep(0.02)
        await wait_for(lambda: len(pa.played) == 2, timeout=3, what="voice ended by silence")
        pa.voice_frame(_frame("V1", 11, packets[0], priority="emergency"))  # a straggler is ignored
        await ex.shutdown()
        return time.monotonic() - started

    took = asyncio.run(scenario())
    assert acks.final("r") == ("failed", "interrupted by emergency live voice V1", {})
    routine, voice = pa.played
    assert routine.outcome == "interrupted" and voice.outcome == "done" and voice.dropouts == 0
    assert 1.0 <= took < 2.5  # 1 s of silence ends the stream
    assert pa.playing == [] and len(pa.played) == 2


@pytest.mark.expect_log(r"live voice S9: frame 0 is not base64")
def test_a_frame_that_is_not_base64_is_dropped_with_a_log_line(tmp_path, caplog):
    pa = SimulatedPa("pa-1")
    frame = VoiceFrame(
        **header_fields(1),
        stream_id="S9",
        frame_seq=0,
        captured_at=0.0,
        opus="***",
        priority="routine",
        zones=[],
        drill=False,
    )

    async def scenario():
        pa.voice_frame(frame)
        assert pa.playing == ["S9"]
        await pa.stop()

    asyncio.run(scenario())
    assert pa.engine.voice_stats.bad_frames == 1 and "not base64" in caplog.text
