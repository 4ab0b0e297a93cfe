"""Plain-Python polygon geometry in lon/lat: bounding boxes, point-in-polygon and areas.

Fast enough for rejection sampling of thousands of points against borders of thousands of
vertices: a `PointLocator` sorts every edge into horizontal bands once, so a ray-casting test looks
only at the few edges that cross the point's latitude band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

LonLat = tuple[float, float]
Ring = tuple[LonLat, ...]
# A polygon is its exterior ring followed by its holes; each ring is closed (first == last).
PolygonRings = tuple[Ring, ...]

EARTH_RADIUS_KM = 6371.0088
_BANDS_PER_LOCATOR = 256


@dataclass(frozen=True, slots=True)
class BoundingBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat

    @property
    def center(self) -> LonLat:
        return ((self.min_lon + self.max_lon) / 2, (self.min_lat + self.max_lat) / 2)

    @staticmethod
    def of_rings(rings: Sequence[Ring]) -> BoundingBox:
        lons = [lon for ring in rings for lon, _ in ring]
        lats = [lat for ring in rings for _, lat in ring]
        if not lons:
            raise ValueError("a bounding box needs at least one point")
        return BoundingBox(min(lons), min(lats), max(lons), max(lats))


def ring_contains(ring: Ring, lon: float, lat: float) -> bool:
    """Ray casting (even-odd) against one closed ring; no index, for small rings and checks."""
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def polygon_contains(polygon: PolygonRings, lon: float, lat: float) -> bool:
    """Inside the exterior ring and outside every hole."""
    if not polygon or not ring_contains(polygon[0], lon, lat):
        return False
    return not any(ring_contains(hole, lon, lat) for hole in polygon[1:])


@dataclass(frozen=True, slots=True)
class PointLocator:
    """Point-in-(multi)polygon tests with a latitude-band edge index.

    The even-odd rule over the edges of every ring of every part gives the right answer for valid
    polygons whose holes lie inside their exterior and whose parts do not overlap: crossing a hole's
    border flips "inside" back to "outside".
    """

    polygons: tuple[PolygonRings, ...]
    bbox: BoundingBox
    _band_height: float = field(init=False, repr=False, compare=False)
    _bands: tuple[tuple[tuple[float, float, float, float], ...], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        height = (self.bbox.max_lat - self.bbox.min_lat) / _BANDS_PER_LOCATOR or 1.0
        bands: list[list[tuple[float, float, float, float]]] = [[] for _ in range(_BANDS_PER_LOCATOR)]
        for polygon in self.polygons:
            for ring in polygon:
                for (x1, y1), (x2, y2) in pairwise(ring):
                    if y1 == y2:
                        continue  # a horizontal edge never crosses a horizontal ray
                    first = self._band_of(min(y1, y2), height)
                    last = self._band_of(max(y1, y2), height)
                    edge = (x1, y1, x2, y2)
                    for band in range(first, last + 1):
                        bands[band].append(edge)
        object.__setattr__(self, "_band_height", height)
        object.__setattr__(self, "_bands", tuple(tuple(b) for b in bands))

    def _band_of(self, lat: float, height: float) -> int:
        index = int((lat - self.bbox.min_lat) / height)
        return min(max(index, 0), _BANDS_PER_LOCATOR - 1)

    def contains(self, lon: float, lat: float) -> bool:
        if not self.bbox.contains(lon, lat):
            return False
        inside = False
        for x1, y1, x2, y2 in self._bands[self._band_of(lat, self._band_height)]:
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


def ring_area_km2(ring: Ring) -> float:
    """Unsigned area of one ring, projected equirectangularly at the ring's mean latitude.

    Good to well under 1 % for a district-sized ring; enough for shares and densities.
    """
    if len(ring) < 4:
        return 0.0
    mean_lat = math.radians(sum(lat for _, lat in ring) / len(ring))
    kx = math.radians(1.0) * EARTH_RADIUS_KM * math.cos(mean_lat)
    ky = math.radians(1.0) * EARTH_RADIUS_KM
    # Relative to the first vertex, so the shoelace sums small numbers and loses no precision.
    x0, y0 = ring[0]
    twice = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        twice += ((x1 - x0) * kx) * ((y2 - y0) * ky) - ((x2 - x0) * kx) * ((y1 - y0) * ky)
    return abs(twice) / 2


def polygon_area_km2(polygon: PolygonRings) -> float:
    if not polygon:
        return 0.0
    return max(ring_area_km2(polygon[0]) - sum(ring_area_km2(h) for h in polygon[1:]), 0.0)
