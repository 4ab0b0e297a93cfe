"""The alarm rate an operator sees during a flood."""

from __future__ import annotations

from services.alarms.rate import AlarmRate

T0 = 1_800_000_000.0


def test_the_alarm_rate_counts_the_last_minute():
    rate = AlarmRate()
    assert rate.per_minute(T0) == 0.0
    for i in range(90):
        rate.add(T0 + i / 3)  # 90 alarms over 30 s
    assert rate.per_minute(T0 + 30) == 90.0
    # Counted in whole seconds: at T0+75 the seconds T0+16 .. T0+29 are still in the window.
    assert rate.per_minute(T0 + 75) == 42.0
    assert rate.per_minute(T0 + 200) == 0.0


def test_a_shorter_window_scales_to_a_minute():
    rate = AlarmRate(window_s=10.0)
    for i in range(20):
        rate.add(T0 + i / 4)  # 20 alarms in 5 s
    assert rate.per_minute(T0 + 5) == 120.0
