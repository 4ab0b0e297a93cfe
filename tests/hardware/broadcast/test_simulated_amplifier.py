"""The simulated amplifier models a sound card's queue: late blocks leave recorded gaps of silence."""

from __future__ import annotations

import asyncio
import json
import time

from hardware.broadcast.outputs import SimulatedAmplifier
from tests.hardware.broadcast.helpers import read_wav

BLOCK = b"\x01\x00" * 320  # 20 ms of the school format


def test_blocks_on_time_play_back_to_back_and_a_late_one_leaves_a_recorded_gap(tmp_path):
    amp = SimulatedAmplifier(tmp_path / "wav")

    async def scenario():
        stream = await amp.open("V1", "voice", ["all"])
        t0 = time.monotonic()
        for k in range(3):  # on time, 20 ms apart
            await asyncio.sleep(max(0.0, t0 + k * 0.02 - time.monotonic()))
            await stream.write(BLOCK)
        await asyncio.sleep(t0 + 0.06 + 0.05 - time.monotonic())  # the next block comes 50 ms late
        await stream.write(BLOCK)
        await asyncio.sleep(0.03)
        return await stream.close("done")

    samples = asyncio.run(scenario())
    assert samples == 4 * 320
    [record] = amp.records
    assert read_wav(tmp_path / "wav" / record.wav) == BLOCK * 4  # the audio, exactly, gaps aside
    gaps = [g for g in record.gaps if g[1] > 0.01]
    assert len(gaps) == 1 and gaps[0][0] == 3 * 320 and 0.04 <= gaps[0][1] < 0.09
    line = json.loads((tmp_path / "wav" / "index.jsonl").read_text())
    assert line["gaps"][-1][0] == 3 * 320 and line["stream_id"] == "V1"


def test_a_block_handed_over_early_queues_behind_the_one_sounding(tmp_path):
    amp = SimulatedAmplifier(tmp_path / "wav")

    async def scenario():
        stream = await amp.open("B1", "broadcast", ["all"])
        for _ in range(5):  # five blocks at once: they play one after the other, no gap
            await stream.write(BLOCK)
        return await stream.close("done")

    assert asyncio.run(scenario()) == 5 * 320
    [record] = amp.records
    assert record.gaps == ()


def test_a_long_playback_is_written_in_chunks_and_complete_when_closed(tmp_path):
    amp = SimulatedAmplifier(tmp_path / "wav")
    blocks = [bytes([k % 251, 0]) * 1600 for k in range(60)]  # 6 s in 100 ms blocks: several chunks

    async def scenario():
        stream = await amp.open("B2", "broadcast", ["all"])
        for block in blocks:
            await stream.write(block)
            await asyncio.sleep(0)  # let a chunk's job finish between blocks now and then
        return await stream.close("done")

    assert asyncio.run(scenario()) == 60 * 1600
    [record] = amp.records
    assert read_wav(tmp_path / "wav" / record.wav) == b"".join(blocks)
