from __future__ import annotations

from services.video.step_down import LoadStepDown, StepDownPolicy
from services.video.tiers import Tier, TierPlanner, TierPolicy, TierReason, TileView, apply_step_down


def _views(n: int, height: int) -> list[TileView]:
    return [TileView(i, visible=True, height_px=height) for i in range(n)]


def test_hidden_tiles_decode_nothing() -> None:
    planner = TierPlanner()
    plans = planner.plan([TileView(1, False, 500), TileView(2, True, 500)], now=0.0)
    assert plans[1].tier is Tier.HIDDEN and plans[1].reason is TierReason.NOT_VISIBLE
    assert plans[1].tier.stream is None
    assert plans[2].tier is Tier.LIVE_SUB  # starts on sub, goes main after the delay
    assert planner.plan([TileView(2, True, 500)], now=1.5)[2].tier is Tier.LIVE_MAIN


def test_more_than_16_tiles_all_play_sub() -> None:
    planner = TierPlanner()
    planner.plan(_views(25, 400), now=0.0)
    plans = planner.plan(_views(25, 400), now=5.0)
    assert {p.tier for p in plans.values()} == {Tier.LIVE_SUB}
    assert {p.reason for p in plans.values()} == {TierReason.MANY_TILES}


def test_overview_past_the_tile_count_and_live_on_focus_or_alarm() -> None:
    planner = TierPlanner(TierPolicy(overview_above_tiles=64))
    live = planner.plan(_views(64, 100), now=0.0)
    assert {p.tier for p in live.values()} == {Tier.LIVE_SUB}
    views = _views(81, 100)
    views[3] = TileView(3, True, 100, focused=True)
    views[7] = TileView(7, True, 900, alarm=True)
    plans = planner.plan(views, now=1.0)
    assert plans[0].tier is Tier.OVERVIEW and plans[0].tier.keyframes_only
    assert plans[3].tier is Tier.LIVE_SUB and plans[3].reason is TierReason.FOCUS
    assert plans[7].tier is Tier.LIVE_SUB and plans[7].reason is TierReason.ALARM
    # The alarmed tile is big: it gets the main stream after the delay despite the crowded wall.
    assert planner.plan(views, now=2.5)[7].tier is Tier.LIVE_MAIN


def test_step_down_one_tile_at_a_time_and_back() -> None:
    policy = StepDownPolicy(high=0.85, low=0.6, step_interval_s=2.0, recover_after_s=10.0)
    planner = TierPlanner()
    views = [TileView(0, True, 900), TileView(1, True, 900, focused=True), TileView(2, True, 900)]
    planner.plan(views, now=0.0)
    plans = planner.plan(views, now=1.0)
    assert [plans[i].tier for i in range(3)] == [Tier.LIVE_MAIN] * 3
    sd = LoadStepDown(policy)
    assert sd.update(0.95, plans, now=10.0) == {}  # saturation must last
    assert sd.update(0.95, plans, now=11.0) == {}
    assert sd.update(0.95, plans, now=12.0) == {2: 1}  # one tile, the last, main -> sub
    assert sd.update(0.95, plans, now=13.0) == {2: 1}  # pause between steps
    assert sd.update(0.95, plans, now=14.0) == {2: 1, 0: 1}
    assert sd.update(0.95, plans, now=16.0) == {2: 2, 0: 1}  # main tiles first, then sub -> overview
    lowered = sd.update(0.95, plans, now=18.0)
    assert lowered == {2: 2, 0: 2}
    assert 1 not in sd.update(0.99, plans, now=40.0)  # the focused tile is never lowered
    stepped = apply_step_down(plans, lowered)
    assert stepped[0].tier is Tier.OVERVIEW and stepped[0].reason is TierReason.CPU_LOAD
    assert stepped[1] == plans[1]
    # Normal load changes nothing; low load for long enough brings tiles back one at a time.
    assert sd.update(0.7, plans, now=50.0) == {2: 2, 0: 2}
    assert sd.update(0.3, plans, now=51.0) == {2: 2, 0: 2}
    assert sd.update(0.3, plans, now=61.0) == {2: 2, 0: 1}
    assert sd.update(0.3, plans, now=65.0) == {2: 2, 0: 1}
    assert sd.update(0.3, plans, now=71.0) == {2: 2}
