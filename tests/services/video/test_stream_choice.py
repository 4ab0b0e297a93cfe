from __future__ import annotations

import pytest

from services.video.stream_choice import StreamChoicePolicy, StreamKind, StreamSelector


def test_small_tile_switches_to_sub_only_after_the_delay() -> None:
    s = StreamSelector(initial=StreamKind.MAIN)
    assert s.update(171, 4, now=0.0) is StreamKind.MAIN
    assert s.pending is StreamKind.SUB
    assert s.update(150, 4, now=0.99) is StreamKind.MAIN
    assert s.update(150, 4, now=1.0) is StreamKind.SUB


def test_hysteresis_band_keeps_the_current_stream() -> None:
    s = StreamSelector(initial=StreamKind.SUB)
    for t in range(10):
        assert s.update(200, 4, now=float(t)) is StreamKind.SUB  # between 171 and 230
    assert s.update(230, 4, now=20.0) is StreamKind.SUB  # not above 230
    s.update(231, 4, now=21.0)
    assert s.update(231, 4, now=22.0) is StreamKind.MAIN
    for t in range(10):
        assert s.update(172, 4, now=30.0 + t) is StreamKind.MAIN


def test_a_brief_resize_does_not_switch() -> None:
    s = StreamSelector(initial=StreamKind.MAIN)
    s.update(100, 4, now=0.0)
    s.update(300, 4, now=0.5)  # back to big before the delay ran out
    assert s.pending is None
    assert s.update(300, 4, now=5.0) is StreamKind.MAIN
    # A new small period starts its own delay.
    s.update(100, 4, now=6.0)
    assert s.update(100, 4, now=6.9) is StreamKind.MAIN
    assert s.update(100, 4, now=7.0) is StreamKind.SUB


def test_more_than_16_tiles_is_all_sub_at_once() -> None:
    s = StreamSelector(initial=StreamKind.MAIN)
    assert s.update(1000, 16, now=0.0) is StreamKind.MAIN
    assert s.update(1000, 17, now=0.1) is StreamKind.SUB


def test_policy_rejects_inverted_thresholds() -> None:
    with pytest.raises(ValueError, match="hysteresis"):
        StreamChoicePolicy(sub_at_or_below_px=300, main_above_px=200)
