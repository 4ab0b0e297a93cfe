"""The tables that shape the demo city: how schools, students, staff and cameras are spread.

These are plausible demo figures, not statistics: the district shares roughly follow the 2020
census population of Qingdao's districts, with a little extra weight on the county-level cities
(胶州, 平度, 莱西) whose rural towns have more and smaller schools. The city totals (3,700
schools, 1,550,000 students, 130,000 staff) and the pilot (39 schools, 4,841 staff, 28,476
students, 300+ cameras) are the bureau's published figures.

Urban centres are approximate GCJ-02 positions of each district's built-up core; schools cluster
around them, and the rest spread over the whole district (always inside its border).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.db.models import SchoolType

# --- the city as published ----------------------------------------------------------------
REFERENCE_SCHOOLS = 3700
REFERENCE_STUDENTS = 1_550_000
REFERENCE_STAFF = 130_000
PILOT_SCHOOLS = 39
PILOT_STUDENTS = 28_476
PILOT_STAFF = 4_841
PILOT_CAMERAS = 312
PILOT_CAMERAS_PER_SCHOOL = (6, 12)  # inclusive range
# About 11 cameras a school gives 40,700 for the 3,700-school city ("40,000+").
DEFAULT_CAMERAS_PER_SCHOOL = 11

# Students and staff per non-pilot school on average, so a city of any size has the reference
# city's density: 3,700 schools give exactly 1,550,000 students and 130,000 staff.
STUDENTS_PER_OTHER_SCHOOL = (REFERENCE_STUDENTS - PILOT_STUDENTS) / (REFERENCE_SCHOOLS - PILOT_SCHOOLS)
STAFF_PER_OTHER_SCHOOL = (REFERENCE_STAFF - PILOT_STAFF) / (REFERENCE_SCHOOLS - PILOT_SCHOOLS)


@dataclass(frozen=True, slots=True)
class UrbanCentre:
    lon: float
    lat: float
    sigma: float  # degrees; spread of the cluster
    weight: float  # relative to the district's other centres


@dataclass(frozen=True, slots=True)
class DistrictProfile:
    adcode: str
    school_share: float  # of the non-pilot schools
    pilot_schools: int
    size_factor: float  # urban schools are larger than rural ones
    urban_fraction: float  # share of schools placed around the centres, the rest anywhere
    centres: tuple[UrbanCentre, ...]


DISTRICT_PROFILES: tuple[DistrictProfile, ...] = (
    # 市南: the old city centre, dense, fully urban.
    DistrictProfile("370202", 0.045, 4, 1.25, 0.5, (UrbanCentre(120.385, 36.070, 0.02, 1.0),)),
    # 市北: dense urban.
    DistrictProfile("370203", 0.085, 4, 1.25, 0.5, (UrbanCentre(120.375, 36.100, 0.02, 1.0),)),
    # 黄岛 / 西海岸新区: the largest population; two cores (黄岛 and 胶南).
    DistrictProfile(
        "370211",
        0.19,
        5,
        1.05,
        0.7,
        (UrbanCentre(120.190, 35.960, 0.04, 1.0), UrbanCentre(120.030, 35.870, 0.04, 1.0)),
    ),
    # 崂山: the urban west (石老人, 中韩); the mountain east is sparse.
    DistrictProfile("370212", 0.05, 4, 1.15, 0.75, (UrbanCentre(120.465, 36.110, 0.03, 1.0),)),
    # 李沧: urban.
    DistrictProfile("370213", 0.065, 4, 1.15, 0.6, (UrbanCentre(120.430, 36.165, 0.025, 1.0),)),
    # 城阳: suburban, growing.
    DistrictProfile("370214", 0.11, 4, 1.0, 0.65, (UrbanCentre(120.396, 36.307, 0.04, 1.0),)),
    # 即墨: large, part rural.
    DistrictProfile("370215", 0.14, 4, 0.95, 0.55, (UrbanCentre(120.447, 36.389, 0.05, 1.0),)),
    # 胶州: county-level city.
    DistrictProfile("370281", 0.10, 4, 0.9, 0.55, (UrbanCentre(120.033, 36.264, 0.05, 1.0),)),
    # 平度: the largest area, mostly rural.
    DistrictProfile("370283", 0.13, 3, 0.85, 0.45, (UrbanCentre(119.988, 36.777, 0.05, 1.0),)),
    # 莱西: county-level city, rural.
    DistrictProfile("370285", 0.085, 3, 0.85, 0.5, (UrbanCentre(120.518, 36.888, 0.05, 1.0),)),
)


@dataclass(frozen=True, slots=True)
class TypeProfile:
    school_type: SchoolType
    share: float  # of the non-pilot schools
    pilot_schools: int
    mean_students: float
    students_per_staff: float
    boarding: bool  # has dormitories (and a dormitory camera)
    name_suffix: str


# Kindergartens are the largest group; means and staff ratios give the reference totals.
TYPE_PROFILES: tuple[TypeProfile, ...] = (
    TypeProfile(SchoolType.KINDERGARTEN, 0.52, 6, 170, 7.0, False, "幼儿园"),
    TypeProfile(SchoolType.PRIMARY, 0.27, 15, 700, 17.0, False, "小学"),
    TypeProfile(SchoolType.MIDDLE, 0.125, 10, 710, 13.0, True, "初级中学"),
    TypeProfile(SchoolType.HIGH, 0.045, 5, 780, 12.0, True, "高级中学"),
    TypeProfile(SchoolType.VOCATIONAL, 0.03, 2, 630, 14.0, True, "职业学校"),
    TypeProfile(SchoolType.SPECIAL, 0.01, 1, 100, 3.0, True, "特殊教育学校"),
)
TYPE_BY_KIND = {t.school_type: t for t in TYPE_PROFILES}


@dataclass(frozen=True, slots=True)
class CameraArea:
    name: str
    # Gate, gatehouse and perimeter are key areas: video kept 3 months instead of 1.
    is_key_area: bool
    boarding_only: bool = False


GATE = CameraArea("校门", True)
GATEHOUSE = CameraArea("门卫室", True)
PERIMETER = CameraArea("周界", True)
PLAYGROUND = CameraArea("操场", False)
CORRIDOR = CameraArea("教学楼走廊", False)
CANTEEN = CameraArea("食堂", False)
DORMITORY = CameraArea("宿舍", False, boarding_only=True)
PARKING = CameraArea("停车场", False)

# Every school covers these first, in this order, as far as its cameras go.
FIRST_CAMERAS = (GATE, GATEHOUSE, PERIMETER, PLAYGROUND, CORRIDOR, CANTEEN, DORMITORY, PARKING)
# Further cameras go round these (a gatehouse needs only one).
EXTRA_CAMERAS = (PERIMETER, CORRIDOR, GATE, PLAYGROUND, DORMITORY, CANTEEN, PARKING)
# Relative camera count of a non-pilot school by type, before scaling to the city's total.
CAMERA_WEIGHT = {
    SchoolType.KINDERGARTEN: 6.0,
    SchoolType.PRIMARY: 11.0,
    SchoolType.MIDDLE: 13.0,
    SchoolType.HIGH: 15.0,
    SchoolType.VOCATIONAL: 15.0,
    SchoolType.SPECIAL: 7.0,
}


def check_profiles() -> None:
    """Fail loudly if an edit broke the tables' invariants."""
    if sum(d.pilot_schools for d in DISTRICT_PROFILES) != PILOT_SCHOOLS:
        raise AssertionError("district pilot counts must add up to the pilot")
    if sum(t.pilot_schools for t in TYPE_PROFILES) != PILOT_SCHOOLS:
        raise AssertionError("type pilot counts must add up to the pilot")
    low, high = PILOT_CAMERAS_PER_SCHOOL
    if not low * PILOT_SCHOOLS <= PILOT_CAMERAS <= high * PILOT_SCHOOLS:
        raise AssertionError("pilot cameras do not fit the per-school range")
