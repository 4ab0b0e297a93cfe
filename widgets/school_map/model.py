"""The plain data the school map draws: districts and schools, no Qt, no database.

The console converts its own records (services.geo boundaries, school rows) into these objects, so
the map knows nothing of where the data came from. Schools are held as parallel numpy arrays: the
map keeps 10,000 of them and updates their states thousands of times a second, which Python
objects per school could not sustain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Ring = Sequence[tuple[float, float]]  # (lon, lat) points; closing point optional
Polygon = Sequence[Ring]  # outer ring first, then holes


@dataclass(frozen=True)
class MapDistrict:
    """One district: its boundary (possibly several polygons) and where its name goes."""

    adcode: int
    name: str  # already in the display language
    polygons: Sequence[Polygon]
    label_point: tuple[float, float]  # (lon, lat)


@dataclass(frozen=True, eq=False)
class MapSchools:
    """Every school on the map, as parallel arrays (index i is one school).

    ``district`` indexes the district list given to the map alongside (-1: outside every
    district). ``type_names`` maps a type code to its display name for tooltips.
    """

    ids: npt.NDArray[np.int64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    district: npt.NDArray[np.int16]
    type_code: npt.NDArray[np.int8]
    names: Sequence[str]
    students: npt.NDArray[np.int32]
    type_names: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.ids)
        arrays = {
            "lon": self.lon,
            "lat": self.lat,
            "district": self.district,
            "type_code": self.type_code,
            "students": self.students,
        }
        for name, values in arrays.items():
            if np.ndim(values) != 1 or len(values) != n:
                raise ValueError(f"MapSchools.{name} must be a 1-D array of {n} values (one per id)")
        if len(self.names) != n:
            raise ValueError(f"MapSchools.names must hold {n} names (one per id), got {len(self.names)}")
        if n and len(np.unique(self.ids)) != n:
            raise ValueError("MapSchools.ids must be unique")
        if n and not (np.isfinite(self.lon).all() and np.isfinite(self.lat).all()):
            raise ValueError("MapSchools.lon/lat must be finite numbers")

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_columns(
        cls,
        ids: Sequence[int],
        lon: Sequence[float],
        lat: Sequence[float],
        district: Sequence[int],
        type_code: Sequence[int],
        names: Sequence[str],
        students: Sequence[int],
        type_names: Mapping[int, str] | None = None,
    ) -> MapSchools:
        """Build from plain Python sequences (converted to the array types the map uses)."""
        return cls(
            ids=np.asarray(ids, dtype=np.int64),
            lon=np.asarray(lon, dtype=np.float64),
            lat=np.asarray(lat, dtype=np.float64),
            district=np.asarray(district, dtype=np.int16),
            type_code=np.asarray(type_code, dtype=np.int8),
            names=list(names),
            students=np.asarray(students, dtype=np.int32),
            type_names=dict(type_names or {}),
        )


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to map coordinates with the east-west scale corrected.

    A degree of longitude is cos(latitude) times shorter than a degree of latitude; scaling x by
    cos(reference latitude) lets the view lock a 1:1 aspect ratio without stretching the city.
    At Qingdao's size (1.5 degrees) one reference latitude is accurate to about 1 %.
    """

    reference_lat: float

    @property
    def x_scale(self) -> float:
        return math.cos(math.radians(self.reference_lat))

    def xy(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        return (
            np.asarray(lon, dtype=np.float64) * self.x_scale,
            np.asarray(lat, dtype=np.float64).copy(),
        )

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * self.x_scale, lat

    # Kilometres per map unit (a map unit is one degree of latitude).
    KM_PER_UNIT = 111.2


def projection_for(districts: Sequence[MapDistrict], schools: MapSchools) -> Projection:
    """A projection centred on the data (the mean latitude of everything drawn)."""
    lats = [float(lat) for d in districts for poly in d.polygons for ring in poly for _, lat in ring]
    if len(schools):
        lats.append(float(np.mean(schools.lat)))
    return Projection(reference_lat=(min(lats) + max(lats)) / 2 if lats else 0.0)
