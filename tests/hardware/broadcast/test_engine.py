"""The broadcast engine through the command executor, with the simulated amplifier recording WAVs."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from hardware.broadcast.clip_store import bundled_clips
from hardware.simulators.pa_sim import SimulatedPa
from tests.hardware.broadcast.helpers import Acks, clip, command, executor_for, put_args, read_wav, tone_pcm
from tests.hardware.stand_in_hub import wait_for


def _bundled(clip_id: str) -> tuple[str, bytes]:
    for sha, bundled in bundled_clips().items():
        if bundled.clip_id == clip_id:
            return sha, bundled.path.read_bytes()
    raise AssertionError(f"no bundled clip {clip_id}")


async def _upload(ex, acks, sha, data, prefix="put"):
    for i, offset in enumerate(range(0, len(data), 40_000)):
        ex.handle(command(f"{prefix}-{i}", "clip_put", put_args(sha, data, offset, 40_000)))
    await wait_for(lambda: acks.final(f"{prefix}-{i}") is not None, what="last chunk answered")
    return acks.final(f"{prefix}-{i}")


def _start(broadcast_id, sha, priority="routine", **extra):
    return {"broadcast_id": broadcast_id, "clip": sha, "priority": priority, "zones": [], **extra}


@pytest.fixture
def pa(tmp_path):
    return SimulatedPa("pa-1", tmp_path / "pa.jsonl", record_dir=tmp_path / "wav", zones=["all"])


def test_the_amplifier_records_exactly_the_clip_and_the_playing_ack_comes_when_audio_starts(
    pa, tmp_path, open_db
):
    pcm = tone_pcm(440, 0.55)
    sha, data = clip(pcm)
    acks = Acks()

    async def scenario():
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        put = await _upload(ex, acks, sha, data)
        assert put == ("done", "", {"clip": sha, "received": len(data), "total": len(data), "complete": True})
        before = time.time()
        ex.handle(command("b1", "broadcast_start", _start("B1", sha, repeat=2)))
        await wait_for(lambda: acks.final("b1") is not None, timeout=5, what="broadcast done")
        await ex.shutdown()
        return before

    before = asyncio.run(scenario())
    states = acks.of("b1")
    assert [s for s, _r, _res in states] == ["received", "executing", "done"]
    playing = states[1][2]
    assert playing["phase"] == "playing" and before <= playing["started_at"] <= time.time()
    assert states[2][2] == {"played_s": 1.1, "repeats": 2}
    [record] = pa.played
    assert record.outcome == "done" and record.samples == len(pcm)  # repeat 2 of 0.55 s, 2 bytes/sample
    assert read_wav(tmp_path / "wav" / record.wav) == pcm + pcm  # sample for sample
    assert record.started_at == pytest.approx(playing["started_at"])
    assert record.ended_at - record.started_at == pytest.approx(1.1, abs=0.15)  # real-time pace
    [line] = [json.loads(x) for x in (tmp_path / "pa.jsonl").read_text().splitlines()]
    assert line["broadcast_id"] == "B1" and line["outcome"] == "done" and line["samples"] == 17600


def test_emergency_interrupts_routine_and_a_routine_during_the_emergency_is_refused(pa, tmp_path, open_db):
    routine_pcm = tone_pcm(300, 3.0)
    routine_sha, routine_data = clip(routine_pcm)
    emergency_pcm = tone_pcm(900, 0.6)
    emergency_sha, emergency_data = clip(emergency_pcm)
    acks = Acks()

    async def scenario():
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        await _upload(ex, acks, routine_sha, routine_data, "r")
        await _upload(ex, acks, emergency_sha, emergency_data, "e")
        ex.handle(command("c-routine", "broadcast_start", _start("R1", routine_sha)))
        await wait_for(lambda: len(acks.of("c-routine")) >= 2, what="routine playing")
        await asyncio.sleep(0.4)
        ex.handle(command("c-emergency", "broadcast_start", _start("E1", emergency_sha, "emergency")))
        await wait_for(lambda: acks.final("c-routine") is not None, what="routine answered")
        ex.handle(command("c-late-routine", "broadcast_start", _start("R2", routine_sha)))
        ex.handle(command("c-drill", "broadcast_start", _start("D1", routine_sha, "drill")))
        await wait_for(lambda: acks.final("c-emergency") is not None, timeout=5, what="emergency done")
        await wait_for(lambda: len(pa.played) == 2, what="both recorded")
        await ex.shutdown()

    asyncio.run(scenario())
    assert acks.final("c-routine") == ("failed", "interrupted by emergency broadcast E1", {})
    assert acks.final("c-late-routine") == ("failed", "refused: emergency broadcast E1 is playing", {})
    assert acks.final("c-drill") == ("failed", "refused: emergency broadcast E1 is playing", {})
    assert acks.final("c-emergency")[0] == "done"
    routine, emergency = pa.played
    assert routine.play_id == "R1" and routine.outcome == "interrupted"
    heard = read_wav(tmp_path / "wav" / routine.wav)
    # Truncated where it was cut (about 0.4 s in), and what was heard is the clip's beginning.
    assert 0.3 * 32000 < len(heard) < 1.0 * 32000 and routine_pcm.startswith(heard)
    assert routine.samples == len(heard) // 2
    assert read_wav(tmp_path / "wav" / emergency.wav) == emergency_pcm
    assert emergency.started_at >= routine.started_at


def test_a_stop_ends_the_broadcast_mid_play(pa, tmp_path, open_db):
    pcm = tone_pcm(500, 3.0)
    sha, data = clip(pcm)
    acks = Acks()

    async def scenario():
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        await _upload(ex, acks, sha, data)
        t0 = time.time()
        ex.handle(command("c1", "broadcast_start", _start("B1", sha), issued_at=t0))
        await wait_for(lambda: len(acks.of("c1")) >= 2, what="playing")
        await asyncio.sleep(0.5)
        ex.handle(command("x1", "broadcast_stop", {"broadcast_id": "B1"}, issued_at=t0 + 1))
        await wait_for(lambda: acks.final("c1") is not None and pa.played, what="stopped")
        await ex.shutdown()

    asyncio.run(scenario())
    assert acks.final("c1") == ("failed", "stopped by x1", {})
    assert acks.final("x1") == ("done", "", {"stopped": ["B1"]})
    [record] = pa.played
    heard = read_wav(tmp_path / "wav" / record.wav)
    assert record.outcome == "stopped" and 0.4 * 32000 < len(heard) < 1.2 * 32000 and pcm.startswith(heard)


def test_a_drill_always_plays_the_drill_announcement_first(pa, tmp_path, open_db):
    pcm = tone_pcm(700, 0.3)
    sha, data = clip(pcm)
    announcement_sha, announcement_wav = _bundled("drill_announcement")
    acks = Acks()

    async def scenario():
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        await _upload(ex, acks, sha, data)
        # A routine-priority broadcast flagged as a drill gets the announcement too.
        ex.handle(command("d1", "broadcast_start", _start("D1", sha, "routine", drill=True)))
        await wait_for(lambda: acks.final("d1") is not None, timeout=10, what="drill done")
        await ex.shutdown()

    asyncio.run(scenario())
    assert acks.final("d1")[0] == "done"
    [record] = pa.played
    heard = read_wav(tmp_path / "wav" / record.wav)
    from hardware.broadcast.audio import pcm_from_wav

    assert heard == pcm_from_wav(announcement_wav) + pcm
    assert announcement_sha in pa.clips.have()


def test_different_zones_play_side_by_side_and_bad_arguments_are_refused(tmp_path, open_db):
    pa = SimulatedPa("pa-1", zones=["outdoor", "building"], record_dir=tmp_path / "wav")
    sha, _data = _bundled("chime_routine")
    acks = Acks()

    async def scenario():
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        ex.handle(command("o", "broadcast_start", _start("O", sha, zones=["outdoor"])))
        ex.handle(command("b", "broadcast_start", _start("B", sha, zones=["building"])))
        ex.handle(command("all", "broadcast_start", _start("A", sha)))  # overlaps both: refused
        ex.handle(command("nozone", "broadcast_start", _start("N", sha, "emergency", zones=["gym"])))
        ex.handle(command("missing", "broadcast_start", _start("M", "0" * 64, "emergency")))
        ex.handle(command("extra", "broadcast_start", {**_start("X", sha), "volume": 3}))
        ex.handle(command("rep", "broadcast_start", _start("Y", sha, repeat=0)))
        await wait_for(lambda: acks.final("o") and acks.final("b"), timeout=5, what="both done")
        await ex.shutdown()

    asyncio.run(scenario())
    assert acks.final("o")[0] == acks.final("b")[0] == "done"
    assert acks.final("all")[1] == "refused: routine broadcast O is playing"
    assert acks.final("nozone")[1] == "no such zone here: gym (this school has: outdoor, building)"
    assert acks.final("missing")[1] == f"clip missing: {'0' * 64} is not at the school"
    assert acks.final("extra")[1] == "broadcast_start: unknown argument(s) volume"
    assert acks.final("rep")[1] == "'repeat' must be a whole number 1-20, not 0"
    assert sorted((r.play_id, tuple(r.zones)) for r in pa.played) == [
        ("B", ("building",)),
        ("O", ("outdoor",)),
    ]


def test_a_stop_naming_one_broadcast_leaves_the_other_and_an_empty_stop_ends_all(tmp_path, open_db):
    pa = SimulatedPa("pa-1", zones=["outdoor", "building"])
    pcm = tone_pcm(400, 3.0)
    sha, data = clip(pcm)
    acks = Acks()

    async def scenario():
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        await _upload(ex, acks, sha, data)
        t0 = time.time()
        ex.handle(command("o", "broadcast_start", _start("O", sha, zones=["outdoor"]), issued_at=t0))
        ex.handle(command("b", "broadcast_start", _start("B", sha, zones=["building"]), issued_at=t0))
        await wait_for(lambda: len(acks.of("o")) >= 2 and len(acks.of("b")) >= 2, what="both playing")
        ex.handle(command("x1", "broadcast_stop", {"broadcast_id": "O"}, issued_at=t0 + 1))
        await wait_for(lambda: acks.final("o") is not None, what="O stopped")
        assert acks.final("b") is None and pa.playing == ["B"]
        ex.handle(command("x2", "broadcast_stop", {}, issued_at=t0 + 2))
        await wait_for(lambda: acks.final("b") is not None, what="B stopped")
        # A start issued before the stop-all but delivered after it never plays.
        ex.handle(command("late", "broadcast_start", _start("L", sha), issued_at=t0 + 1.5))
        await wait_for(lambda: acks.final("late") is not None, what="late start answered")
        await ex.shutdown()

    asyncio.run(scenario())
    assert acks.final("o") == ("failed", "stopped by x1", {})
    assert acks.final("x1") == ("done", "", {"stopped": ["O"]})
    assert acks.final("b") == ("failed", "stopped by x2", {})
    assert acks.final("late") == ("failed", "superseded by a later stop (x2)", {})
    assert sorted(r.outcome for r in pa.played) == ["stopped", "stopped"]
