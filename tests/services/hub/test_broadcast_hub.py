"""Broadcasts through the hub to real agents with simulated PAs, over real sockets: the ledger's
states per school, what the amplifiers recorded, unreachable schools, schedules that never play
late, stop, pre-emption and clip sync."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hardware.broadcast.audio import wav_from_pcm
from services.broadcast import library
from services.broadcast.school_format import school_clip
from services.db.engine import open_database
from services.db.network_models import CommandRecord
from services.hub.server import Hub
from services.hub_client import HubClient
from services.protocol.console_messages import Update
from tests.hardware.agent.test_with_hub import seed_schools
from tests.hardware.broadcast.helpers import tone_pcm
from tests.services.hub.broadcast_city import (
    CHIME,
    EMERGENCY,
    Schools,
    bundled_pcm,
    bundled_sha,
    local_console,
    states,
    wait_status,
)

pytestmark = pytest.mark.slow
CODES = ["QD-0001", "QD-0002", "QD-0003"]


@pytest.fixture
def city_url(database_url: str) -> str:
    seed_schools(database_url, CODES)
    return database_url


@pytest.fixture
def hub(city_url: str, hub_factory: Callable[..., Hub]) -> Hub:  # the database outlives the hub
    return hub_factory(city_url)


@pytest.fixture
def schools(hub: Hub, tmp_path: Path) -> Iterator[Schools]:
    made = Schools(hub, tmp_path / "schools")
    try:
        for code in CODES:
            made.enroll(code)
        yield made
    finally:
        made.close()


@pytest.fixture
def client(hub: Hub, tmp_path: Path) -> Iterator[HubClient]:
    made = local_console(hub, tmp_path / "keys")
    yield made
    made.close()


def send(client: HubClient, schools: list[str], clip: str, **extra: object) -> dict:
    args = {"target": {"schools": schools}, "clip": clip, "priority": "routine", **extra}
    return client.request("broadcast_send", args)


def finished(status: dict) -> bool:
    return bool(status["deliveries"]) and all(
        d["state"] in ("done", "failed", "expired", "unreachable") for d in status["deliveries"]
    )


def test_a_broadcast_plays_at_two_schools_and_the_ledger_follows_it(schools, client) -> None:
    for code in CODES[:2]:
        schools.start(code)
    client.subscribe()
    sent = send(client, CODES[:2], bundled_sha(CHIME), title="午间提示")
    assert sent["schools"] == CODES[:2] and sent["no_agent"] == []
    seen = wait_status(client, sent["broadcast_id"], finished)
    final = seen[-1]
    assert final["status"] == "sent" and final["title"] == "午间提示"
    assert states(final) == {code: "done" for code in CODES[:2]}
    for row in final["deliveries"]:
        assert row["latency_ms"] is not None and 0 <= row["latency_ms"] < 2000
        assert row["started_at"] is not None
    # The console's updates carried each school through the states, "playing" before "done".
    order: dict[str, list[str]] = {}
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        for event in client.poll(0.05):
            if isinstance(event, Update):
                for d in event.deliveries:
                    if d.command_id == sent["command_id"]:
                        order.setdefault(d.school, []).append(d.state)
    for code in CODES[:2]:
        assert "playing" in order[code] and order[code][-1] == "done"
        assert order[code].index("playing") < order[code].index("done")
        [(play_id, outcome, samples)] = schools.heard(code)
        assert (play_id, outcome) == (sent["broadcast_id"], "done")
        assert samples == bundled_pcm(CHIME)


def test_an_unreachable_school_is_reported_unreachable_not_failed(schools, client) -> None:
    schools.start(CODES[0])  # CODES[1] is enrolled but its agent is not running
    sent = send(client, CODES[:2], bundled_sha(CHIME), ttl_s=5)
    seen = wait_status(client, sent["broadcast_id"], lambda s: states(s).get(CODES[0]) == "done")
    assert states(seen[-1])[CODES[1]] == "unreachable"
    assert all(states(s)[CODES[1]] in ("unreachable", "queued") for s in seen)
    history = client.request("broadcast_history", {"limit": 5})["broadcasts"]
    [entry] = [b for b in history if b["broadcast_id"] == sent["broadcast_id"]]
    assert entry["counts"].get("unreachable") == 1 and "failed" not in entry["counts"]


def test_an_expired_scheduled_broadcast_never_plays_late(schools, client) -> None:
    sent = send(client, [CODES[0]], bundled_sha(CHIME), at=time.time() + 0.5, ttl_s=5)
    assert sent["at"] is not None
    # The school is offline at the time and beyond the broadcast's ttl; then it comes back.
    seen = wait_status(client, sent["broadcast_id"], lambda s: states(s).get(CODES[0]) == "expired", 20)
    assert seen[-1]["status"] == "sent"
    pa = schools.start(CODES[0])
    time.sleep(1.5)
    assert pa.played == [] and pa.playing == []
    assert states(client.request("broadcast_status", {"broadcast_id": sent["broadcast_id"]})) == {
        CODES[0]: "expired"
    }


@pytest.mark.expect_log(r"expired unsent: its time passed while the hub could not send it")
def test_a_scheduled_broadcast_survives_a_hub_restart_and_expires_if_its_time_passed(
    city_url, hub_factory, tmp_path, caplog
) -> None:
    hub = hub_factory(city_url)
    client = local_console(hub, tmp_path / "keys")
    try:
        later = send(client, [CODES[0]], bundled_sha(CHIME), at=time.time() + 2.0, ttl_s=60)
        missed = send(client, [CODES[1]], bundled_sha(CHIME), at=time.time() + 0.2, ttl_s=5)
    finally:
        client.close()
    hub.stop()
    time.sleep(5.5)  # `missed` is past its time and ttl; `later` is still within its ttl
    again = hub_factory(city_url)
    client = local_console(again, tmp_path / "keys")
    try:
        wait_status(client, missed["broadcast_id"], lambda s: s["status"] == "expired", 5)
        status = wait_status(client, later["broadcast_id"], lambda s: s["status"] == "sent", 5)[-1]
        assert status["deliveries"] == []  # no agent enrolled in this city: nothing to deliver
        assert any(
            missed["broadcast_id"] in r.getMessage() for r in caplog.records if r.levelname == "WARNING"
        )
    finally:
        client.close()
    engine = open_database(city_url)
    try:
        with Session(engine) as session:
            ids = set(session.scalars(select(CommandRecord.command_id)))
        assert missed["command_id"] not in ids and later["command_id"] in ids
    finally:
        engine.dispose()


def test_stop_mid_play(schools, client) -> None:
    schools.start(CODES[0])
    sent = send(client, [CODES[0]], bundled_sha(EMERGENCY))
    wait_status(client, sent["broadcast_id"], lambda s: states(s).get(CODES[0]) == "playing")
    time.sleep(0.5)
    stopped = client.request("broadcast_stop", {"broadcast_id": sent["broadcast_id"]})
    assert stopped["schools"] == [CODES[0]] and stopped["command_id"]
    final = wait_status(client, sent["broadcast_id"], finished)[-1]
    assert states(final) == {CODES[0]: "failed"}
    assert final["deliveries"][0]["reason"].startswith("stopped by")
    [(_id, outcome, samples)] = schools.heard(CODES[0])
    full = bundled_pcm(EMERGENCY)
    assert outcome == "stopped" and 0 < len(samples) < len(full)
    assert samples == full[: len(samples)]


def test_an_emergency_pre_empts_a_routine_broadcast_through_the_hub(schools, client) -> None:
    schools.start(CODES[0])
    routine = send(client, [CODES[0]], bundled_sha(EMERGENCY), title="routine")
    wait_status(client, routine["broadcast_id"], lambda s: states(s).get(CODES[0]) == "playing")
    emergency = send(client, [CODES[0]], bundled_sha(CHIME), priority="emergency")
    first = wait_status(client, routine["broadcast_id"], finished)[-1]
    assert states(first) == {CODES[0]: "failed"}
    assert (
        first["deliveries"][0]["reason"] == f"interrupted by emergency broadcast {emergency['broadcast_id']}"
    )
    second = wait_status(client, emergency["broadcast_id"], finished)[-1]
    assert states(second) == {CODES[0]: "done"}
    heard = schools.heard(CODES[0], expect=2)
    assert [(i, o) for i, o, _ in heard] == [
        (routine["broadcast_id"], "interrupted"),
        (emergency["broadcast_id"], "done"),
    ]
    assert heard[1][2] == bundled_pcm(CHIME)


def test_a_clip_from_the_library_is_synced_in_chunks_before_the_start(schools, client, city_url) -> None:
    for code in CODES[:2]:
        schools.start(code)
    # 3.2 s of tone: 102 kB of WAV, three chunks of at most 45 KiB.
    clip = school_clip(wav_from_pcm(tone_pcm(523.0, 3.2)))
    engine = open_database(city_url)
    try:
        library.save_upload(engine, clip, title="测试提示", original_name="tone.wav", operator="test")
        with Session(engine) as session:
            before = set(session.scalars(select(CommandRecord.command_id)))
    finally:
        engine.dispose()
    sent = send(client, CODES[:2], clip.sha256)
    final = wait_status(client, sent["broadcast_id"], finished, 30)[-1]
    assert states(final) == {code: "done" for code in CODES[:2]}
    for code in CODES[:2]:
        [(_id, outcome, samples)] = schools.heard(code)
        assert outcome == "done" and samples == tone_pcm(523.0, 3.2)
        assert hashlib.sha256(wav_from_pcm(samples)).hexdigest() == clip.sha256
    engine = open_database(city_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(CommandRecord.action, CommandRecord.issued_at).where(
                    CommandRecord.command_id.not_in(before)
                )
            ).all()
    finally:
        engine.dispose()
    actions = [a for a, _ in sorted(rows, key=lambda r: r[1])]
    assert actions == ["clip_have", "clip_put", "clip_put", "clip_put", "broadcast_start"]
    # The second broadcast of the same clip goes straight to the start: the hub remembers.
    again = send(client, CODES[:2], clip.sha256)
    wait_status(client, again["broadcast_id"], finished, 30)
    engine = open_database(city_url)
    try:
        with Session(engine) as session:
            newer = session.scalars(
                select(CommandRecord.action).where(CommandRecord.command_id.not_in(before))
            ).all()
    finally:
        engine.dispose()
    assert sorted(newer).count("broadcast_start") == 2 and len(newer) == 6


def test_a_clip_that_is_neither_bundled_nor_in_the_library_is_refused(client) -> None:
    from services.hub_client import HubClientError

    with pytest.raises(HubClientError) as refused:
        send(client, [CODES[0]], "ab" * 32)
    assert refused.value.code == "not_found" and "no clip" in refused.value.message
