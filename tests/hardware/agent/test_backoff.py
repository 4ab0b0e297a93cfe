import random

import pytest

from hardware.agent.backoff import Backoff


def test_delays_stay_within_a_doubling_cap_up_to_the_maximum():
    backoff = Backoff(initial_s=0.5, max_s=8.0, rng=random.Random(1))
    caps = []
    for _ in range(10):
        cap = backoff.cap()
        delay = backoff.next_delay()
        assert 0.0 <= delay <= cap
        caps.append(cap)
    assert caps[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert max(caps) == 8.0


def test_delays_are_jittered_and_reset_returns_to_the_start():
    backoff = Backoff(initial_s=1.0, max_s=1.0, rng=random.Random(7))
    delays = {round(backoff.next_delay(), 6) for _ in range(50)}
    assert len(delays) > 40  # spread, not one synchronized value
    assert min(delays) < 0.2 and max(delays) > 0.8
    backoff.reset()
    assert backoff.attempts == 0 and backoff.cap() == 1.0


def test_long_outage_does_not_overflow():
    backoff = Backoff(initial_s=1.0, max_s=60.0)
    for _ in range(5000):
        assert backoff.next_delay() <= 60.0


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="max_s"):
        Backoff(initial_s=5.0, max_s=1.0)
