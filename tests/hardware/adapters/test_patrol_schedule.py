"""Patrol rounds: a checkpoint not scanned within its round's window raises patrol_missed, once."""

import asyncio
import datetime as dt
import time

import pytest

from hardware.adapters.base import AdapterOptionError
from hardware.adapters.patrol_schedule import PatrolSchedule
from hardware.adapters.registry import make_adapter

QINGDAO = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hhmm: str) -> float:
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime(2025, 3, day, hours, minutes, tzinfo=QINGDAO).timestamp()


def test_a_checkpoint_missed_in_a_round_is_reported_once_after_the_grace_time():
    schedule = PatrolSchedule(
        ["08:00", "21:00"], ["gate", "dorm", "canteen"], window_s=1800, grace_s=300, tz=QINGDAO
    )
    schedule.start(at(3, "07:00"))
    schedule.record("gate", at(3, "08:05"))
    schedule.record("dorm", at(3, "08:29"))
    schedule.record("canteen", at(3, "07:58"))  # before the round: does not count
    assert schedule.due(at(3, "08:34")) == []  # the window closed at 08:30; uploads may still come
    missed = schedule.due(at(3, "08:36"))
    assert [(m.checkpoint, m.round) for m in missed] == [("canteen", "08:00")]
    assert missed[0].window_end - missed[0].window_start == 1800
    assert schedule.due(at(3, "12:00")) == []  # reported once


def test_rounds_across_midnight_and_several_days_at_once():
    schedule = PatrolSchedule(["23:50"], ["gate"], window_s=1800, grace_s=0, tz=QINGDAO)
    schedule.start(at(3, "12:00"))
    schedule.record("gate", at(4, "00:10"))  # inside the 23:50 round of the 3rd
    assert schedule.due(at(4, "00:30")) == []
    # The agent was busy (or the machine asleep) for two days: each round is judged.
    missed = schedule.due(at(6, "01:00"))
    assert [m.round for m in missed] == ["23:50", "23:50"]
    assert [m.window_start for m in missed] == [at(4, "23:50"), at(5, "23:50")]


def test_rounds_judged_before_the_start_are_not_reported():
    schedule = PatrolSchedule(["08:00"], ["gate"], window_s=600, grace_s=0, tz=QINGDAO)
    schedule.start(at(3, "09:00"))
    assert schedule.due(at(3, "10:00")) == []


@pytest.mark.parametrize(
    ("rounds", "checkpoints", "message"),
    [
        (["8am"], ["gate"], r"patrol round '8am': expected HH:MM"),
        (["25:00"], ["gate"], r"expected HH:MM"),
        ([], ["gate"], r"at least one round"),
        (["08:00"], [], r"at least one checkpoint"),
    ],
)
def test_bad_schedules_are_refused(rounds, checkpoints, message):
    with pytest.raises(AdapterOptionError, match=message):
        PatrolSchedule(rounds, checkpoints)


def test_the_reader_raises_patrol_missed_from_its_spool_file(tmp_path):
    spool = tmp_path / "scans.csv"
    now = time.time()
    round_start = dt.datetime.fromtimestamp(now).replace(second=0, microsecond=0)
    # A scan already in the file before the agent started counts for the round but is not reported again.
    spool.write_text(f"gate,wang,{round_start.timestamp() + 1}\n")
    reader = make_adapter(
        "patrol_reader",
        "patrol-1",
        {
            "spool_file": str(spool),
            "rounds": [round_start.strftime("%H:%M")],
            "checkpoints": ["gate", "dorm-1", "canteen"],
            "locations": {"dorm-1": "一号宿舍楼"},
            "window_min": 1.0,
            "grace_min": 0.0,
        },
    )
    events = []
    reader.bind(lambda _a, e: events.append(e))
    asyncio.run(reader.start())
    with spool.open("a") as f:
        f.write(f"canteen,wang,{now}\n")
    assert reader.read_new_lines() == 1
    assert reader.check_schedule(round_start.timestamp() + 61) == 1
    assert [e.kind for e in events] == ["patrol_checkpoint", "alarm"]
    alarm = events[1]
    assert alarm.priority == "alarm"
    assert alarm.details["type"] == "patrol_missed"
    assert alarm.details["location"] == "一号宿舍楼" and alarm.details["checkpoint"] == "dorm-1"
    assert alarm.details["round"] == round_start.strftime("%H:%M")


def test_a_reader_without_a_schedule_never_raises_patrol_missed(tmp_path):
    reader = make_adapter("patrol_reader", "patrol-1", {"spool_file": str(tmp_path / "scans.csv")})
    assert reader.check_schedule(time.time() + 86400) == 0
    with pytest.raises(AdapterOptionError, match=r"'locations' must map"):
        make_adapter(
            "patrol_reader",
            "patrol-1",
            {"spool_file": "/x", "rounds": ["08:00"], "checkpoints": ["a"], "locations": {"a": 1}},
        )
