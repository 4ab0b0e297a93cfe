from collections import Counter

import pytest
from sqlalchemy import func, insert, select

from services.db.engine import open_database
from services.db.models import Camera, ContactRole, District, School, SchoolContact, SchoolType
from services.demo_city import (
    DEFAULT_STREAM_URL_TEMPLATE,
    DemoCitySummary,
    plan_demo_city,
    seed_demo_city,
    stream_urls,
)
from services.demo_city.__main__ import main as cli_main
from services.demo_city.allocation import apportion, apportion_with_minimum
from services.demo_city.plan import camera_areas
from services.demo_city.profile import DISTRICT_PROFILES
from services.geo import load_district_boundaries

KEY_AREAS = {"校门", "门卫室", "周界"}


@pytest.fixture(scope="module")
def boundaries():
    return load_district_boundaries()


@pytest.fixture(scope="module")
def full_plan(boundaries):
    return plan_demo_city(boundaries, schools=3700, cameras=None, seed=20261128)


# --- the plan (no database) ---------------------------------------------------------------------


def test_full_city_has_the_published_totals(full_plan):
    schools = full_plan.schools
    assert len(schools) == 3700
    students = sum(s.student_count for s in schools)
    staff = sum(s.staff_count for s in schools)
    assert students == pytest.approx(1_550_000, rel=0.01)
    assert staff == pytest.approx(130_000, rel=0.01)
    assert full_plan.camera_count >= 40_000
    assert all(s.student_count > 0 and s.staff_count > 0 and s.cameras for s in schools)


def test_pilot_is_exactly_the_published_pilot(full_plan):
    pilot = [s for s in full_plan.schools if s.is_pilot]
    assert len(pilot) == 39
    assert sum(s.staff_count for s in pilot) == 4_841
    assert sum(s.student_count for s in pilot) == 28_476
    assert sum(len(s.cameras) for s in pilot) >= 300
    assert all(6 <= len(s.cameras) <= 12 for s in pilot)
    # Spread over every district.
    assert {s.district_adcode for s in pilot} == {p.adcode for p in DISTRICT_PROFILES}


def test_school_types_in_plausible_shares(full_plan):
    kinds = Counter(s.school_type for s in full_plan.schools)
    ranked = [kind for kind, _ in kinds.most_common()]
    assert ranked[:4] == [SchoolType.KINDERGARTEN, SchoolType.PRIMARY, SchoolType.MIDDLE, SchoolType.HIGH]
    assert set(kinds) == set(SchoolType)
    mean = {
        k: sum(s.student_count for s in full_plan.schools if s.school_type == k) / n for k, n in kinds.items()
    }
    assert mean[SchoolType.KINDERGARTEN] < mean[SchoolType.PRIMARY]
    assert mean[SchoolType.SPECIAL] < mean[SchoolType.KINDERGARTEN]


def test_populous_districts_get_more_schools(full_plan):
    per_district = Counter(s.district_adcode for s in full_plan.schools)
    for populous in ("370211", "370215", "370283", "370214"):  # 黄岛, 即墨, 平度, 城阳
        assert per_district[populous] > per_district["370202"]  # 市南
    assert per_district.most_common(1)[0][0] == "370211"


def test_every_school_lies_inside_its_district(full_plan, boundaries):
    by_code = {b.adcode: b for b in boundaries}
    outside = [
        s.code for s in full_plan.schools if not by_code[s.district_adcode].contains(s.longitude, s.latitude)
    ]
    assert outside == []


def test_names_are_marked_as_demo_and_codes_are_unique(full_plan, boundaries):
    schools = full_plan.schools
    district_name = {b.adcode: b.name for b in boundaries}
    assert all("演示" in s.name and "演示" in s.address for s in schools)
    assert all(s.name.startswith(district_name[s.district_adcode] + "演示第") for s in schools)
    assert all(s.address.startswith("青岛市" + district_name[s.district_adcode]) for s in schools)
    assert len({s.code for s in schools}) == len(schools)
    assert len({s.name for s in schools}) == len(schools)
    cameras = [c for s in schools for c in s.cameras]
    assert len({c.code for c in cameras}) == len(cameras)
    for s in schools:
        roles = [c.role for c in s.contacts]
        assert roles == [ContactRole.PRINCIPAL, ContactRole.SECURITY_CHIEF, ContactRole.GATEHOUSE]
        assert all("演示" in c.name and c.phone.startswith("0532-0000-") for c in s.contacts)


def test_cameras_cover_key_areas_first(full_plan):
    for s in full_plan.schools:
        for c in s.cameras:
            assert c.is_key_area == (c.area in KEY_AREAS)
            assert c.name.startswith(c.area) and c.name[len(c.area) :].isdigit()
    layout = [(a.name, n) for a, n in camera_areas(10, boarding=False)]
    assert layout[:3] == [("校门", 1), ("门卫室", 1), ("周界", 1)]
    assert ("宿舍", 1) not in layout
    assert ("宿舍", 1) in [(a.name, n) for a, n in camera_areas(10, boarding=True)]
    assert [n for a, n in camera_areas(12, boarding=False) if a.name == "周界"] == [1, 2]


def test_same_seed_same_plan_other_seed_other_plan(boundaries):
    first = plan_demo_city(boundaries, schools=200, cameras=None, seed=5)
    again = plan_demo_city(boundaries, schools=200, cameras=None, seed=5)
    other = plan_demo_city(boundaries, schools=200, cameras=None, seed=6)
    assert first == again
    assert first.schools != other.schools


def test_custom_size_scales_sensibly(boundaries):
    plan = plan_demo_city(boundaries, schools=500, cameras=2000, seed=1)
    assert len(plan.schools) == 500
    assert plan.camera_count == 2000
    pilot = [s for s in plan.schools if s.is_pilot]
    assert (len(pilot), sum(s.student_count for s in pilot), sum(s.staff_count for s in pilot)) == (
        39,
        28_476,
        4_841,
    )
    # The other schools keep the reference city's average size.
    others = [s for s in plan.schools if not s.is_pilot]
    average = sum(s.student_count for s in others) / len(others)
    assert average == pytest.approx((1_550_000 - 28_476) / 3661, rel=0.01)


def test_impossible_sizes_are_refused(boundaries):
    with pytest.raises(ValueError, match="at least 39 schools"):
        plan_demo_city(boundaries, schools=20, cameras=None, seed=1)
    with pytest.raises(ValueError, match="at least 373"):
        plan_demo_city(boundaries, schools=100, cameras=372, seed=1)
    with pytest.raises(ValueError, match="does not match"):
        plan_demo_city(boundaries[:9], schools=100, cameras=None, seed=1)


def test_apportion_adds_up_exactly():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(1_521_524, [0.3, 0.2, 0.5, 1e-9])) == 1_521_524
    assert apportion_with_minimum(5, [0, 0, 1], 1) == [1, 1, 3]
    with pytest.raises(ValueError):
        apportion(5, [0, 0])
    with pytest.raises(ValueError):
        apportion_with_minimum(2, [1, 1, 1], 1)


# --- the database (SQLite and PostgreSQL) -------------------------------------------------------


def table_rows(engine):
    """Everything the generator wrote, without database ids."""
    with engine.connect() as conn:
        districts = conn.execute(
            select(District.adcode, District.name, District.name_en).order_by(District.adcode)
        ).all()
        schools = conn.execute(
            select(
                School.code,
                School.name,
                District.adcode,
                School.school_type,
                School.address,
                School.longitude,
                School.latitude,
                School.student_count,
                School.staff_count,
                School.is_pilot,
                School.is_demo,
            )
            .join(District)
            .order_by(School.code)
        ).all()
        contacts = conn.execute(
            select(School.code, SchoolContact.role, SchoolContact.name, SchoolContact.phone)
            .join(School)
            .order_by(School.code, SchoolContact.role)
        ).all()
        cameras = conn.execute(
            select(
                Camera.code,
                School.code,
                Camera.name,
                Camera.area,
                Camera.is_key_area,
                Camera.main_stream_url,
                Camera.sub_stream_url,
                Camera.credential_ref,
            )
            .join(School)
            .order_by(Camera.code)
        ).all()
    return (
        [tuple(r) for r in districts],
        [tuple(r) for r in schools],
        [tuple(r) for r in contacts],
        [tuple(r) for r in cameras],
    )


def test_seed_writes_the_planned_city(engine):
    summary = seed_demo_city(engine, schools=80, seed=3)
    assert summary.created
    districts, schools, contacts, cameras = table_rows(engine)
    assert len(districts) == 10
    assert len(schools) == summary.schools == 80
    assert len(cameras) == summary.cameras == 80 * 11
    assert len(contacts) == 3 * 80
    assert sum(s[7] for s in schools) == summary.students
    assert sum(s[8] for s in schools) == summary.staff
    assert sum(s[9] for s in schools) == summary.pilot_schools == 39
    assert all(s[10] is True for s in schools)  # is_demo everywhere
    for code, _school, _name, _area, _key, main, sub, credential_ref in cameras:
        assert (main, sub) == stream_urls(DEFAULT_STREAM_URL_TEMPLATE, code)
        assert main.endswith(f"/cam/{code}/main.ts") and sub.endswith(f"/cam/{code}/sub.ts")
        assert credential_ref is None


def test_seed_is_idempotent(engine):
    first = seed_demo_city(engine, schools=60, seed=3)
    before = table_rows(engine)
    second = seed_demo_city(engine, schools=500, seed=9)
    assert not second.created
    assert second == DemoCitySummary(
        first.schools,
        first.cameras,
        first.students,
        first.staff,
        first.pilot_schools,
        first.pilot_cameras,
        False,
    )
    assert "nothing written" in second.describe()
    assert table_rows(engine) == before


def test_same_seed_gives_identical_databases(engine, tmp_path):
    # The fixture's database (SQLite or PostgreSQL) against a second, fresh SQLite database.
    other = open_database(f"sqlite:///{tmp_path / 'second.db'}")
    try:
        seed_demo_city(engine, schools=70, cameras=600, seed=42)
        seed_demo_city(other, schools=70, cameras=600, seed=42)
        assert table_rows(engine) == table_rows(other)
    finally:
        other.dispose()


def test_existing_districts_are_reused(engine, boundaries):
    shinan = boundaries[0]
    with engine.begin() as conn:
        conn.execute(
            insert(District), [{"adcode": shinan.adcode, "name": shinan.name, "name_en": shinan.name_en}]
        )
    summary = seed_demo_city(engine, schools=45, seed=1, boundaries=boundaries)
    assert summary.created
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(District)).scalar_one() == 10


def test_custom_stream_template_and_bad_template(engine):
    seed_demo_city(
        engine, schools=40, cameras=400, seed=2, stream_url_template="rtsp://media.local/{stream}/{code}"
    )
    with engine.connect() as conn:
        code, main, sub = conn.execute(
            select(Camera.code, Camera.main_stream_url, Camera.sub_stream_url).limit(1)
        ).one()
    assert (main, sub) == (f"rtsp://media.local/main/{code}", f"rtsp://media.local/sub/{code}")
    with pytest.raises(ValueError, match="stream URL template"):
        seed_demo_city(engine, stream_url_template="http://x/{camera}/{stream}")
    with pytest.raises(ValueError, match="must contain both"):
        seed_demo_city(engine, stream_url_template="http://x/{code}.ts")


def test_full_city_on_sqlite(tmp_path, boundaries):
    engine = open_database(f"sqlite:///{tmp_path / 'city.db'}")
    calls = []
    try:
        summary = seed_demo_city(engine, progress=lambda done, total: calls.append((done, total)))
        with engine.connect() as conn:
            students, staff, schools = conn.execute(
                select(func.sum(School.student_count), func.sum(School.staff_count), func.count(School.id))
            ).one()
            cameras = conn.execute(select(func.count(Camera.id))).scalar_one()
            missing_urls = conn.execute(
                select(func.count(Camera.id)).where(
                    (Camera.main_stream_url == "") | (Camera.sub_stream_url == "")
                )
            ).scalar_one()
            pilot = conn.execute(
                select(
                    func.count(School.id), func.sum(School.staff_count), func.sum(School.student_count)
                ).where(School.is_pilot.is_(True))
            ).one()
            pilot_cameras = conn.execute(
                select(func.count(Camera.id)).join(School).where(School.is_pilot.is_(True))
            ).scalar_one()
            places = conn.execute(
                select(District.adcode, School.longitude, School.latitude).join(District)
            ).all()
    finally:
        engine.dispose()
    assert summary.created and schools == summary.schools == 3700
    assert students == pytest.approx(1_550_000, rel=0.01)
    assert staff == pytest.approx(130_000, rel=0.01)
    assert cameras == summary.cameras >= 40_000
    assert missing_urls == 0
    assert tuple(pilot) == (39, 4_841, 28_476)
    assert pilot_cameras == summary.pilot_cameras >= 300
    by_code = {b.adcode: b for b in boundaries}
    assert all(by_code[adcode].contains(lon, lat) for adcode, lon, lat in places)
    # Progress: from 0, never backwards, ending at the total.
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) > 5


def test_command_line_seeds_and_reports(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert cli_main(["--database", url, "--schools", "50", "--cameras", "500"]) == 0
    out = capsys.readouterr().out
    assert "demo city created: 50 schools, 500 cameras" in out
    assert cli_main(["--database", url]) == 0
    assert "nothing written" in capsys.readouterr().out


@pytest.mark.expect_log(r"at least 39 schools")
def test_command_line_reports_bad_sizes(tmp_path, caplog):
    assert cli_main(["--database", f"sqlite:///{tmp_path / 'bad.db'}", "--schools", "5"]) == 2
    assert "at least 39 schools" in caplog.text
