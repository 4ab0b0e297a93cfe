"""Splitting a whole number into parts that add up exactly (largest-remainder apportionment)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split *total* into len(weights) non-negative integers proportional to *weights*.

    The parts always add up to *total*; leftover units go to the largest fractional parts, ties
    to the earlier index, so the result depends only on the inputs.
    """
    if total < 0:
        raise ValueError(f"cannot apportion a negative total ({total})")
    if not weights:
        if total:
            raise ValueError("cannot apportion a positive total over no parts")
        return []
    if any(w < 0 or not math.isfinite(w) for w in weights):
        raise ValueError("weights must be finite and non-negative")
    weight_sum = math.fsum(weights)
    if weight_sum <= 0:
        raise ValueError("at least one weight must be positive")
    quotas = [total * w / weight_sum for w in weights]
    parts = [math.floor(q) for q in quotas]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


def apportion_with_minimum(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Like apportion, but every part gets at least *minimum*."""
    floor_total = minimum * len(weights)
    if total < floor_total:
        raise ValueError(f"{total} is too few for {len(weights)} parts of at least {minimum}")
    if not weights:
        return []
    return [minimum + extra for extra in apportion(total - floor_total, weights)]
