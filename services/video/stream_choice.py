"""Main or sub stream for one tile, by its size, with hysteresis and a delay.

The rule (as in Nx Witness): a tile 171 px high or smaller switches to the sub stream after it has
stayed that small for 1 s; it goes back to the main stream only above 230 px, again after 1 s. The
band between the two thresholds keeps whatever plays, so dragging a splitter or a layout animation
never makes a tile flip streams. With more than 16 tiles on screen every tile plays the sub stream,
at once: sixteen 1080p decodes are already what a workstation can afford.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StreamKind(StrEnum):
    MAIN = "main"
    SUB = "sub"


@dataclass(frozen=True, slots=True)
class StreamChoicePolicy:
    sub_at_or_below_px: int = 171
    main_above_px: int = 230
    delay_s: float = 1.0
    max_main_tiles: int = 16

    def __post_init__(self) -> None:
        if self.main_above_px < self.sub_at_or_below_px:
            raise ValueError(
                f"main_above_px ({self.main_above_px}) must not be below sub_at_or_below_px "
                f"({self.sub_at_or_below_px}): the band between them is the hysteresis"
            )
        if self.delay_s < 0 or self.max_main_tiles < 0:
            raise ValueError("delay_s and max_main_tiles must not be negative")


class StreamSelector:
    """The stream of one tile; call `update` whenever the tile's size or the layout changes, and
    now and then (e.g. on the wall's health timer) so a pending switch happens after its delay."""

    def __init__(
        self, policy: StreamChoicePolicy | None = None, initial: StreamKind = StreamKind.SUB
    ) -> None:
        self.policy = policy or StreamChoicePolicy()
        self.current = initial
        self._wanted: StreamKind | None = None
        self._wanted_since = 0.0

    def update(self, tile_height_px: int, tiles_on_screen: int, now: float) -> StreamKind:
        p = self.policy
        if tiles_on_screen > p.max_main_tiles:
            self.current = StreamKind.SUB
            self._wanted = None
            return self.current
        if tile_height_px <= p.sub_at_or_below_px:
            wanted = StreamKind.SUB
        elif tile_height_px > p.main_above_px:
            wanted = StreamKind.MAIN
        else:
            wanted = self.current
        if wanted == self.current:
            self._wanted = None
        elif wanted != self._wanted:
            self._wanted, self._wanted_since = wanted, now
        if self._wanted is not None and now - self._wanted_since >= p.delay_s:
            self.current, self._wanted = self._wanted, None
        return self.current

    @property
    def pending(self) -> StreamKind | None:
        """The stream this tile will switch to once the delay has passed, if any."""
        return self._wanted
