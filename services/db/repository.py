"""Read side of the database: typed queries that hand out plain frozen records, never ORM objects.

Every function takes an Engine and opens its own connection for the one call, so it can run on any
worker thread. Lists that the map and the status bar load for every school select only the columns
they need with SQLAlchemy Core: building 10,000 ORM instances would cost several times more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, case, func, select

from services.db.models import Camera, District, School, SchoolContact
from services.db.records import (
    CameraRecord,
    ContactRecord,
    DistrictRecord,
    SchoolDetail,
    SchoolSummary,
)


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts for the status bar and statistics, for the whole city or one district."""

    schools: int
    cameras: int
    students: int
    staff: int


@dataclass(frozen=True, slots=True)
class DistrictTotals:
    district_id: int
    totals: Totals


_SUMMARY_COLUMNS = (
    School.id,
    School.code,
    School.name,
    School.district_id,
    School.school_type,
    School.longitude,
    School.latitude,
    School.student_count,
    School.is_pilot,
)


def _summary(row: Sequence[Any]) -> SchoolSummary:
    # Positional on purpose (it is the hot path for 10,000 schools): _SUMMARY_COLUMNS lists the
    # fields in SchoolSummary's order. The Enum column type already yields SchoolType members.
    return SchoolSummary(*row)


def list_districts(engine: Engine) -> list[DistrictRecord]:
    """All districts, ordered by administrative code (the order Qingdao's own lists use)."""
    statement = select(District.id, District.adcode, District.name, District.name_en).order_by(
        District.adcode
    )
    with engine.connect() as connection:
        return [DistrictRecord(*row) for row in connection.execute(statement)]


def list_school_summaries(engine: Engine) -> list[SchoolSummary]:
    """Every school, in id order, with what the map and school lists draw."""
    statement = select(*_SUMMARY_COLUMNS).order_by(School.id)
    with engine.connect() as connection:
        return [_summary(row) for row in connection.execute(statement)]


def get_school_detail(engine: Engine, school_id: int) -> SchoolDetail | None:
    """One school with its district, contacts and cameras; None when there is no such school."""
    school_statement = (
        select(
            *_SUMMARY_COLUMNS,
            District.name.label("district_name"),
            District.name_en.label("district_name_en"),
            School.address,
            School.staff_count,
            School.is_demo,
        )
        .join(District, District.id == School.district_id)
        .where(School.id == school_id)
    )
    contacts_statement = (
        select(SchoolContact.role, SchoolContact.name, SchoolContact.phone)
        .where(SchoolContact.school_id == school_id)
        .order_by(SchoolContact.id)
    )
    cameras_statement = (
        select(
            Camera.id,
            Camera.code,
            Camera.school_id,
            Camera.name,
            Camera.area,
            Camera.is_key_area,
            Camera.main_stream_url,
            Camera.sub_stream_url,
            Camera.credential_ref.is_not(None),
        )
        .where(Camera.school_id == school_id)
        .order_by(Camera.id)
    )
    # One connection, and so one snapshot on PostgreSQL's default isolation for all three reads.
    with engine.connect() as connection:
        row = connection.execute(school_statement).one_or_none()
        if row is None:
            return None
        contacts = tuple(ContactRecord(*c) for c in connection.execute(contacts_statement))
        cameras = tuple(
            CameraRecord(
                id=c[0],
                code=c[1],
                school_id=c[2],
                name=c[3],
                area=c[4],
                is_key_area=c[5],
                main_stream_url=c[6],
                sub_stream_url=c[7],
                has_credentials=bool(c[8]),
            )
            for c in connection.execute(cameras_statement)
        )
    summary_width = len(_SUMMARY_COLUMNS)
    return SchoolDetail(
        summary=_summary(row[:summary_width]),
        district_name=row.district_name,
        district_name_en=row.district_name_en,
        address=row.address,
        staff_count=row.staff_count,
        is_demo=row.is_demo,
        contacts=contacts,
        cameras=cameras,
    )


def search_schools(engine: Engine, text: str, limit: int = 20) -> list[SchoolSummary]:
    """Schools whose name or code contains *text*, ignoring case.

    An exact code comes first, then codes that start with the text, then names that start with it,
    then the rest; within each group by code (the bureau's own order, district by district).
    """
    needle = text.strip()
    if not needle or limit <= 0:
        return []
    lowered = needle.lower()
    # autoescape: a % or _ typed by the operator is a character to find, not a wildcard.
    matches = School.name.icontains(needle, autoescape=True) | School.code.icontains(needle, autoescape=True)
    rank = case(
        (func.lower(School.code) == lowered, 0),
        (School.code.istartswith(needle, autoescape=True), 1),
        (School.name.istartswith(needle, autoescape=True), 2),
        else_=3,
    )
    statement = select(*_SUMMARY_COLUMNS).where(matches).order_by(rank, School.code).limit(limit)
    with engine.connect() as connection:
        return [_summary(row) for row in connection.execute(statement)]


def count_schools(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(School)).scalar_one())


def count_cameras(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Camera)).scalar_one())


def city_totals(engine: Engine) -> Totals:
    """Schools, cameras, students and staff for the whole city."""
    school_statement = select(
        func.count(School.id),
        func.coalesce(func.sum(School.student_count), 0),
        func.coalesce(func.sum(School.staff_count), 0),
    )
    camera_statement = select(func.count()).select_from(Camera)
    with engine.connect() as connection:
        schools, students, staff = connection.execute(school_statement).one()
        cameras = connection.execute(camera_statement).scalar_one()
    return Totals(schools=int(schools), cameras=int(cameras), students=int(students), staff=int(staff))


def district_totals(engine: Engine) -> list[DistrictTotals]:
    """The same counts per district, for every district (zeros where a district has no school)."""
    school_counts = (
        select(
            School.district_id.label("district_id"),
            func.count(School.id).label("schools"),
            func.sum(School.student_count).label("students"),
            func.sum(School.staff_count).label("staff"),
        )
        .group_by(School.district_id)
        .subquery()
    )
    camera_counts = (
        select(School.district_id.label("district_id"), func.count(Camera.id).label("cameras"))
        .join(Camera, Camera.school_id == School.id)
        .group_by(School.district_id)
        .subquery()
    )
    statement = (
        select(
            District.id,
            func.coalesce(school_counts.c.schools, 0),
            func.coalesce(camera_counts.c.cameras, 0),
            func.coalesce(school_counts.c.students, 0),
            func.coalesce(school_counts.c.staff, 0),
        )
        .outerjoin(school_counts, school_counts.c.district_id == District.id)
        .outerjoin(camera_counts, camera_counts.c.district_id == District.id)
        .order_by(District.adcode)
    )
    with engine.connect() as connection:
        return [
            DistrictTotals(
                district_id=row[0],
                totals=Totals(
                    schools=int(row[1]), cameras=int(row[2]), students=int(row[3]), staff=int(row[4])
                ),
            )
            for row in connection.execute(statement)
        ]
