"""The real PA adapter: raw school-format PCM on the player's stdin; a missing player is a fault."""

from __future__ import annotations

import asyncio

from hardware.adapters.pa import PaAdapter
from hardware.adapters.registry import make_adapter
from tests.hardware.broadcast.helpers import Acks, clip, command, executor_for, put_args, tone_pcm
from tests.hardware.stand_in_hub import wait_for


def test_the_player_receives_exactly_the_clip_on_its_stdin(tmp_path, open_db):
    received = tmp_path / "heard.raw"
    # Stands in for aplay: keeps what it is given; the raw-format options land in $0.. and are ignored.
    pa = PaAdapter("pa-1", ["/bin/sh", "-c", f"cat > {received}"], tmp_path / "clips", ["all"])
    pcm = tone_pcm(440, 0.7)
    sha, data = clip(pcm)
    acks = Acks()

    async def scenario():
        assert (await pa.health()).state == "ok"
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        ex.handle(command("p", "clip_put", put_args(sha, data, 0, len(data))))
        ex.handle(command("b", "broadcast_start", {"broadcast_id": "B", "clip": sha, "priority": "routine"}))
        await wait_for(lambda: acks.final("b") is not None, timeout=5, what="played")
        await ex.shutdown()
        await pa.stop()

    asyncio.run(scenario())
    states = [s for s, _r, _res in acks.of("b")]
    assert states == ["received", "executing", "done"], acks.of("b")
    assert received.read_bytes() == pcm
    assert (tmp_path / "clips" / f"{sha}.wav").read_bytes() == data


def test_a_missing_player_is_a_device_fault_and_a_broadcast_fails_with_the_reason(tmp_path, open_db):
    pa = make_adapter("pa", "pa-1", {"player": ["no-such-aplay"], "clip_dir": str(tmp_path / "clips")})
    chime = next(iter(pa.clips.have()))
    acks = Acks()

    async def scenario():
        status = await pa.health()
        ex = executor_for(pa, open_db(tmp_path / "a.db"), acks)
        ex.handle(
            command("b", "broadcast_start", {"broadcast_id": "B", "clip": chime, "priority": "emergency"})
        )
        await wait_for(lambda: acks.final("b") is not None, what="answered")
        await ex.shutdown()
        return status

    status = asyncio.run(scenario())
    assert status.state == "fault" and "'no-such-aplay' not found" in status.detail
    assert acks.final("b") == (
        "failed",
        "PA output fault: player 'no-such-aplay' not found (install alsa-utils)",
        {},
    )
