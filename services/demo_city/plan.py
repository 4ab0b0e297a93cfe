"""Plan the demo city in memory: every school, contact and camera, from one seed.

Pure and deterministic: the same boundaries, sizes and seed give the same plan, value for value,
because every random draw comes from one `random.Random(seed)` in a fixed order. The database side
(services/demo_city/seeding.py) only writes the plan.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from services.db.models import ContactRole, SchoolType
from services.demo_city import names
from services.demo_city.allocation import apportion, apportion_with_minimum
from services.demo_city.profile import (
    CAMERA_WEIGHT,
    DEFAULT_CAMERAS_PER_SCHOOL,
    DISTRICT_PROFILES,
    EXTRA_CAMERAS,
    FIRST_CAMERAS,
    PILOT_CAMERAS,
    PILOT_CAMERAS_PER_SCHOOL,
    PILOT_SCHOOLS,
    PILOT_STAFF,
    PILOT_STUDENTS,
    STAFF_PER_OTHER_SCHOOL,
    STUDENTS_PER_OTHER_SCHOOL,
    TYPE_PROFILES,
    CameraArea,
    DistrictProfile,
    TypeProfile,
    check_profiles,
)
from services.geo.districts import DistrictBoundary

COORDINATE_DECIMALS = 6  # about 0.1 m
_MAX_SAMPLING_TRIES = 100_000


@dataclass(frozen=True, slots=True)
class PlannedContact:
    role: ContactRole
    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class PlannedCamera:
    code: str
    name: str
    area: str
    is_key_area: bool


@dataclass(frozen=True, slots=True)
class PlannedSchool:
    code: str
    name: str
    district_adcode: str
    school_type: SchoolType
    address: str
    longitude: float
    latitude: float
    student_count: int
    staff_count: int
    is_pilot: bool
    contacts: tuple[PlannedContact, ...]
    cameras: tuple[PlannedCamera, ...]


@dataclass(frozen=True, slots=True)
class DemoCityPlan:
    districts: tuple[DistrictBoundary, ...]
    schools: tuple[PlannedSchool, ...]

    @property
    def camera_count(self) -> int:
        return sum(len(s.cameras) for s in self.schools)

    @property
    def contact_count(self) -> int:
        return sum(len(s.contacts) for s in self.schools)


@dataclass(frozen=True, slots=True)
class _Slot:
    """One school before it has a name: where it is, what it is, whether it is in the pilot."""

    district: DistrictProfile
    boundary: DistrictBoundary
    kind: TypeProfile
    is_pilot: bool


def default_camera_count(schools: int) -> int:
    return DEFAULT_CAMERAS_PER_SCHOOL * schools


def plan_demo_city(
    boundaries: Sequence[DistrictBoundary], *, schools: int, cameras: int | None, seed: int
) -> DemoCityPlan:
    """Plan a city of *schools* schools and *cameras* cameras (None: about 11 a school)."""
    check_profiles()
    if schools < PILOT_SCHOOLS:
        raise ValueError(f"the demo city needs at least {PILOT_SCHOOLS} schools (the pilot), got {schools}")
    others = schools - PILOT_SCHOOLS
    total_cameras = default_camera_count(schools) if cameras is None else cameras
    minimum_cameras = PILOT_CAMERAS + others
    if total_cameras < minimum_cameras:
        raise ValueError(
            f"{total_cameras} cameras are too few: the pilot has {PILOT_CAMERAS} and every other "
            f"school needs at least one, so at least {minimum_cameras}"
        )
    rng = random.Random(seed)
    slots = _slots(rng, _match_boundaries(boundaries), others)
    students = _student_counts(rng, slots, others)
    staff = _staff_counts(rng, slots, students, others)
    camera_counts = _camera_counts(rng, slots, students, total_cameras - PILOT_CAMERAS)
    planned = _name_and_place(rng, slots, students, staff, camera_counts)
    return DemoCityPlan(districts=tuple(boundaries), schools=tuple(planned))


def _match_boundaries(boundaries: Sequence[DistrictBoundary]) -> dict[str, DistrictBoundary]:
    by_adcode = {b.adcode: b for b in boundaries}
    expected = {p.adcode for p in DISTRICT_PROFILES}
    if set(by_adcode) != expected:
        raise ValueError(
            f"the district map does not match the demo city's districts: "
            f"missing {sorted(expected - set(by_adcode))}, unexpected {sorted(set(by_adcode) - expected)}"
        )
    return by_adcode


def _slots(rng: random.Random, boundaries: dict[str, DistrictBoundary], others: int) -> list[_Slot]:
    district_counts = apportion(others, [d.school_share for d in DISTRICT_PROFILES])
    type_counts = apportion(others, [t.share for t in TYPE_PROFILES])
    other_kinds = [t for t, n in zip(TYPE_PROFILES, type_counts, strict=True) for _ in range(n)]
    pilot_kinds = [t for t in TYPE_PROFILES for _ in range(t.pilot_schools)]
    rng.shuffle(other_kinds)
    rng.shuffle(pilot_kinds)
    slots: list[_Slot] = []
    for district, count in zip(DISTRICT_PROFILES, district_counts, strict=True):
        boundary = boundaries[district.adcode]
        here = [_Slot(district, boundary, pilot_kinds.pop(), True) for _ in range(district.pilot_schools)]
        here += [_Slot(district, boundary, other_kinds.pop(), False) for _ in range(count)]
        rng.shuffle(here)
        slots += here
    return slots


def _split(slots: Sequence[_Slot], weights: Sequence[float], pilot_total: int, other_total: int) -> list[int]:
    """Give the pilot schools exactly *pilot_total* and the others exactly *other_total*."""
    pilot = [i for i, s in enumerate(slots) if s.is_pilot]
    other = [i for i, s in enumerate(slots) if not s.is_pilot]
    result = [0] * len(slots)
    for indices, total in ((pilot, pilot_total), (other, other_total)):
        if indices:
            shares = apportion_with_minimum(total, [weights[i] for i in indices], 1)
            for i, value in zip(indices, shares, strict=True):
                result[i] = value
    return result


def _student_counts(rng: random.Random, slots: Sequence[_Slot], others: int) -> list[int]:
    weights = [s.kind.mean_students * s.district.size_factor * rng.lognormvariate(0.0, 0.35) for s in slots]
    return _split(slots, weights, PILOT_STUDENTS, round(others * STUDENTS_PER_OTHER_SCHOOL))


def _staff_counts(
    rng: random.Random, slots: Sequence[_Slot], students: Sequence[int], others: int
) -> list[int]:
    weights = [
        n / s.kind.students_per_staff * rng.uniform(0.85, 1.15) for s, n in zip(slots, students, strict=True)
    ]
    return _split(slots, weights, PILOT_STAFF, round(others * STAFF_PER_OTHER_SCHOOL))


def _camera_counts(
    rng: random.Random, slots: Sequence[_Slot], students: Sequence[int], other_cameras: int
) -> list[int]:
    counts = [0] * len(slots)
    pilot = [i for i, s in enumerate(slots) if s.is_pilot]
    # Start every pilot school at the mean and move cameras between random pairs, staying in range.
    low, high = PILOT_CAMERAS_PER_SCHOOL
    pilot_counts = apportion(PILOT_CAMERAS, [1.0] * len(pilot))
    for _ in range(8 * len(pilot)):
        a, b = rng.randrange(len(pilot)), rng.randrange(len(pilot))
        if pilot_counts[a] < high and pilot_counts[b] > low:
            pilot_counts[a] += 1
            pilot_counts[b] -= 1
    for i, n in zip(pilot, pilot_counts, strict=True):
        counts[i] = n
    other = [i for i, s in enumerate(slots) if not s.is_pilot]
    weights = [
        CAMERA_WEIGHT[slots[i].kind.school_type] * math.sqrt(students[i] / slots[i].kind.mean_students)
        for i in other
    ]
    for i, n in zip(other, apportion_with_minimum(other_cameras, weights, 1), strict=True):
        counts[i] = n
    return counts


def camera_areas(count: int, boarding: bool) -> list[tuple[CameraArea, int]]:
    """The areas of a school's *count* cameras, each with its number within the area."""
    first = [a for a in FIRST_CAMERAS if boarding or not a.boarding_only]
    extra = [a for a in EXTRA_CAMERAS if boarding or not a.boarding_only]
    areas = first[:count]
    areas += [extra[i % len(extra)] for i in range(count - len(areas))]
    seen: Counter[str] = Counter()
    numbered = []
    for area in areas:
        seen[area.name] += 1
        numbered.append((area, seen[area.name]))
    return numbered


def sample_location(
    rng: random.Random, boundary: DistrictBoundary, profile: DistrictProfile
) -> tuple[float, float]:
    """A point inside the district: near an urban centre with the profile's odds, else anywhere."""
    if profile.centres and rng.random() < profile.urban_fraction:
        centre = rng.choices(profile.centres, weights=[c.weight for c in profile.centres])[0]
        lon_sigma = centre.sigma / math.cos(math.radians(centre.lat))
        for _ in range(200):
            point = _rounded(rng.gauss(centre.lon, lon_sigma), rng.gauss(centre.lat, centre.sigma))
            if boundary.contains(*point):
                return point
    box = boundary.bbox
    for _ in range(_MAX_SAMPLING_TRIES):
        point = _rounded(rng.uniform(box.min_lon, box.max_lon), rng.uniform(box.min_lat, box.max_lat))
        if boundary.contains(*point):
            return point
    raise ValueError(f"district {boundary.adcode}: found no point inside its border")


def _rounded(lon: float, lat: float) -> tuple[float, float]:
    return round(lon, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)


def _name_and_place(
    rng: random.Random,
    slots: Sequence[_Slot],
    students: Sequence[int],
    staff: Sequence[int],
    camera_counts: Sequence[int],
) -> list[PlannedSchool]:
    number_in_district: Counter[str] = Counter()
    number_of_kind: Counter[tuple[str, SchoolType]] = Counter()
    planned = []
    for slot, n_students, n_staff, n_cameras in zip(slots, students, staff, camera_counts, strict=True):
        adcode = slot.district.adcode
        district_name = slot.boundary.name
        number_in_district[adcode] += 1
        number_of_kind[adcode, slot.kind.school_type] += 1
        code = f"DEMO-{adcode}-{number_in_district[adcode]:04d}"
        lon, lat = sample_location(rng, slot.boundary, slot.district)
        contacts = (
            PlannedContact(ContactRole.PRINCIPAL, names.person_name(rng), names.phone(rng)),
            PlannedContact(ContactRole.SECURITY_CHIEF, names.person_name(rng), names.phone(rng)),
            PlannedContact(ContactRole.GATEHOUSE, names.gatehouse_name(), names.phone(rng)),
        )
        cameras = tuple(
            PlannedCamera(f"{code}-C{index:02d}", f"{area.name}{k}", area.name, area.is_key_area)
            for index, (area, k) in enumerate(camera_areas(n_cameras, slot.kind.boarding), start=1)
        )
        planned.append(
            PlannedSchool(
                code=code,
                name=names.school_name(
                    district_name, number_of_kind[adcode, slot.kind.school_type], slot.kind.name_suffix
                ),
                district_adcode=adcode,
                school_type=slot.kind.school_type,
                address=names.address(rng, district_name),
                longitude=lon,
                latitude=lat,
                student_count=n_students,
                staff_count=n_staff,
                is_pilot=slot.is_pilot,
                contacts=contacts,
                cameras=cameras,
            )
        )
    return planned
