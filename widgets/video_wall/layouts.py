"""Wall layouts: a grid of columns x rows and the cells tiles occupy, some spanning several.

The standard layouts are square grids (1, 4, 9, 16, 25, 36, 64, 81, 100 tiles) and "6": one big
tile over 2x2 cells of a 3x3 grid plus five small ones. A custom layout lists its own cells. No Qt
geometry types in the definition, so layouts can be stored as plain JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRect

TILE_GAP_PX = 2
STANDARD_TILE_COUNTS: tuple[int, ...] = (1, 4, 6, 9, 16, 25, 36, 64, 81, 100)


@dataclass(frozen=True, slots=True)
class Cell:
    column: int
    row: int
    column_span: int = 1
    row_span: int = 1


@dataclass(frozen=True, slots=True)
class WallLayout:
    name: str
    columns: int
    rows: int
    cells: tuple[Cell, ...]

    def __post_init__(self) -> None:
        if self.columns < 1 or self.rows < 1 or not self.cells:
            raise ValueError(f"layout {self.name!r} needs at least one column, row and cell")
        taken: set[tuple[int, int]] = set()
        for cell in self.cells:
            if cell.column_span < 1 or cell.row_span < 1:
                raise ValueError(f"layout {self.name!r}: a cell spans at least 1x1")
            if (
                cell.column < 0
                or cell.row < 0
                or cell.column + cell.column_span > self.columns
                or (cell.row + cell.row_span > self.rows)
            ):
                raise ValueError(f"layout {self.name!r}: cell {cell} lies outside the grid")
            for c in range(cell.column, cell.column + cell.column_span):
                for r in range(cell.row, cell.row + cell.row_span):
                    if (c, r) in taken:
                        raise ValueError(f"layout {self.name!r}: cells overlap at column {c}, row {r}")
                    taken.add((c, r))

    @property
    def tile_count(self) -> int:
        return len(self.cells)

    def tile_rects(self, width: int, height: int, gap: int = TILE_GAP_PX) -> list[QRect]:
        """Each tile's rectangle in a widget of *width* x *height*, with *gap* pixels between."""
        xs = [round(i * (width + gap) / self.columns) for i in range(self.columns + 1)]
        ys = [round(i * (height + gap) / self.rows) for i in range(self.rows + 1)]
        rects = []
        for cell in self.cells:
            left, top = xs[cell.column], ys[cell.row]
            right = xs[cell.column + cell.column_span] - gap
            bottom = ys[cell.row + cell.row_span] - gap
            rects.append(QRect(left, top, max(1, right - left), max(1, bottom - top)))
        return rects


def grid_layout(tiles: int) -> WallLayout:
    """The square grid holding *tiles* (1, 4, 9, ...), or '6' (one big + five)."""
    if tiles == 6:
        big = Cell(0, 0, 2, 2)
        small = (Cell(2, 0), Cell(2, 1), Cell(0, 2), Cell(1, 2), Cell(2, 2))
        return WallLayout("6", 3, 3, (big, *small))
    side = math.isqrt(tiles)
    if side < 1 or side * side != tiles:
        raise ValueError(f"no square grid has {tiles} tiles; use one of {STANDARD_TILE_COUNTS}")
    cells = tuple(Cell(c, r) for r in range(side) for c in range(side))
    return WallLayout(str(tiles), side, side, cells)


def standard_layouts() -> list[WallLayout]:
    return [grid_layout(n) for n in STANDARD_TILE_COUNTS]
