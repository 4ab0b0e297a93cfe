"""Geography without Qt: district boundaries and plain-Python polygon tests."""

from services.geo.districts import (
    DEFAULT_DISTRICTS_PATH,
    DistrictBoundary,
    MapDataError,
    load_district_boundaries,
)
from services.geo.polygon import BoundingBox, PointLocator, polygon_contains

__all__ = [
    "DEFAULT_DISTRICTS_PATH",
    "BoundingBox",
    "DistrictBoundary",
    "MapDataError",
    "PointLocator",
    "load_district_boundaries",
    "polygon_contains",
]
