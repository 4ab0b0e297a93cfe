"""Write the demo city into a database: one transaction, bulk Core inserts, idempotent.

A database that already has schools is left untouched: the summary then describes what is there
and says `created=False`, so starting the console with "demo city" twice never doubles the city
and never mixes demo schools into real ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from services.db.models import Camera, District, School, SchoolContact
from services.demo_city.plan import DemoCityPlan, plan_demo_city
from services.demo_city.profile import REFERENCE_SCHOOLS
from services.geo.districts import DistrictBoundary, load_district_boundaries

log = logging.getLogger(__name__)

DEFAULT_SEED = 20261128
# Served later by the camera stream simulator; {code} is the camera code, {stream} main or sub.
DEFAULT_STREAM_URL_TEMPLATE = "http://127.0.0.1:8554/cam/{code}/{stream}.ts"
CHUNK_ROWS = 5000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class DemoCitySummary:
    schools: int
    cameras: int
    students: int
    staff: int
    pilot_schools: int
    pilot_cameras: int
    # False when the database already had schools and nothing was written.
    created: bool

    def describe(self) -> str:
        what = "demo city created" if self.created else "database already has schools; nothing written"
        return (
            f"{what}: {self.schools:,} schools, {self.cameras:,} cameras, {self.students:,} students, "
            f"{self.staff:,} staff; pilot {self.pilot_schools} schools with {self.pilot_cameras} cameras"
        )


def stream_urls(template: str, code: str) -> tuple[str, str]:
    """The main and sub stream URL of camera *code*."""
    return template.format(code=code, stream="main"), template.format(code=code, stream="sub")


def _check_template(template: str) -> None:
    try:
        main, sub = stream_urls(template, "X")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"stream URL template {template!r} is not usable: only {{code}} and {{stream}} may appear ({exc})"
        ) from exc
    if main == sub or "{code}" not in template:
        raise ValueError(f"stream URL template {template!r} must contain both {{code}} and {{stream}}")


def seed_demo_city(
    engine: Engine,
    *,
    schools: int = REFERENCE_SCHOOLS,
    cameras: int | None = None,
    seed: int = DEFAULT_SEED,
    stream_url_template: str = DEFAULT_STREAM_URL_TEMPLATE,
    progress: ProgressCallback | None = None,
    boundaries: Sequence[DistrictBoundary] | None = None,
) -> DemoCitySummary:
    """Fill an empty database with the demo city; leave a database with schools alone.

    *cameras* None gives about 11 a school (40,700 for 3,700 schools). *progress(done, total)*
    is called now and then with rows written so far. Raises ValueError for impossible sizes or a
    bad template, MapDataError when the district map cannot be read.
    """
    _check_template(stream_url_template)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(School)).scalar_one():
            summary = existing_summary(conn)
            log.info("demo city not seeded: %s", summary.describe())
            return summary
        plan = plan_demo_city(
            load_district_boundaries() if boundaries is None else boundaries,
            schools=schools,
            cameras=cameras,
            seed=seed,
        )
        _write(conn, plan, stream_url_template, progress)
    summary = planned_summary(plan)
    log.info("%s", summary.describe())
    return summary


def planned_summary(plan: DemoCityPlan) -> DemoCitySummary:
    pilot = [s for s in plan.schools if s.is_pilot]
    return DemoCitySummary(
        schools=len(plan.schools),
        cameras=plan.camera_count,
        students=sum(s.student_count for s in plan.schools),
        staff=sum(s.staff_count for s in plan.schools),
        pilot_schools=len(pilot),
        pilot_cameras=sum(len(s.cameras) for s in pilot),
        created=True,
    )


def existing_summary(conn: Connection) -> DemoCitySummary:
    """Describe the schools and cameras a database already holds."""
    schools, students, staff, pilots = conn.execute(
        select(
            func.count(School.id),
            func.coalesce(func.sum(School.student_count), 0),
            func.coalesce(func.sum(School.staff_count), 0),
            func.count(School.id).filter(School.is_pilot.is_(True)),
        )
    ).one()
    cameras, pilot_cameras = conn.execute(
        select(
            func.count(Camera.id),
            func.count(Camera.id).filter(School.is_pilot.is_(True)),
        ).join(School, Camera.school_id == School.id)
    ).one()
    return DemoCitySummary(
        schools=int(schools),
        cameras=int(cameras),
        students=int(students),
        staff=int(staff),
        pilot_schools=int(pilots),
        pilot_cameras=int(pilot_cameras),
        created=False,
    )


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start : start + CHUNK_ROWS]


def _write(conn: Connection, plan: DemoCityPlan, template: str, progress: ProgressCallback | None) -> None:
    total = len(plan.districts) + len(plan.schools) + plan.contact_count + plan.camera_count
    done = 0

    def report(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    report(0)
    district_ids = _districts(conn, plan)
    report(len(plan.districts))

    school_rows = [
        {
            "code": s.code,
            "name": s.name,
            "district_id": district_ids[s.district_adcode],
            "school_type": s.school_type,
            "address": s.address,
            "longitude": s.longitude,
            "latitude": s.latitude,
            "student_count": s.student_count,
            "staff_count": s.staff_count,
            "is_pilot": s.is_pilot,
            "is_demo": True,
        }
        for s in plan.schools
    ]
    for chunk in _chunks(school_rows):
        conn.execute(insert(School), chunk)
        report(len(chunk))
    # The database had no schools before this transaction, so every school is one of ours.
    school_ids: dict[str, int] = {code: id_ for code, id_ in conn.execute(select(School.code, School.id))}

    contact_rows = [
        {"school_id": school_ids[s.code], "role": c.role, "name": c.name, "phone": c.phone}
        for s in plan.schools
        for c in s.contacts
    ]
    for chunk in _chunks(contact_rows):
        conn.execute(insert(SchoolContact), chunk)
        report(len(chunk))

    camera_rows = []
    for s in plan.schools:
        school_id = school_ids[s.code]
        for c in s.cameras:
            main, sub = stream_urls(template, c.code)
            camera_rows.append(
                {
                    "code": c.code,
                    "school_id": school_id,
                    "name": c.name,
                    "area": c.area,
                    "is_key_area": c.is_key_area,
                    "main_stream_url": main,
                    "sub_stream_url": sub,
                    "credential_ref": None,
                }
            )
    for chunk in _chunks(camera_rows):
        conn.execute(insert(Camera), chunk)
        report(len(chunk))


def _districts(conn: Connection, plan: DemoCityPlan) -> dict[str, int]:
    """Ids by adcode; districts already present (from an earlier import) are reused, not duplicated."""
    existing = _district_ids(conn)
    missing = [
        {"adcode": d.adcode, "name": d.name, "name_en": d.name_en}
        for d in plan.districts
        if d.adcode not in existing
    ]
    if missing:
        conn.execute(insert(District), missing)
    return _district_ids(conn)


def _district_ids(conn: Connection) -> dict[str, int]:
    return {adcode: id_ for adcode, id_ in conn.execute(select(District.adcode, District.id))}
