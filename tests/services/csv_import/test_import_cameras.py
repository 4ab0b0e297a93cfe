"""Importing cameras: URLs, key areas, unknown schools, credentials, batches with schools, size."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.csv_import import CsvImportError, RowError, import_cameras, import_schools_and_cameras
from services.db.models import Camera, School
from tests.services.csv_import.conftest import CAMERA_HEADER, SCHOOL_HEADER, add_school


def _cameras(engine) -> dict[str, Camera]:
    with Session(engine) as session:
        return {c.code: c for c in session.scalars(select(Camera))}


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_good_camera_file_imports(city, write_csv):
    school_id = add_school(city, "QD0001")
    rows = [
        ("C1", "QD0001", "校门", "大门", "是", "rtsp://10.1.1.1:554/main", "rtsp://10.1.1.1:554/sub"),
        ("C2", "QD0001", "操场", "", "no", "https://media.example/live/c2.m3u8", ""),
        ("C3", "QD0001", "周界", "围墙", "TRUE", "rtmp://media/live/c3", "udp://@239.1.1.3:1234"),
        ("C4", "QD0001", "门卫室", "", "", "rtp://239.1.1.4:5004", "http://10.1.1.4/sub.ts"),
    ]
    result = import_cameras(city, write_csv("cams.csv", CAMERA_HEADER, rows))
    assert result.ok, result.errors
    assert (result.rows_read, result.inserted, result.updated) == (4, 4, 0)
    cameras = _cameras(city)
    gate = cameras["C1"]
    assert (gate.school_id, gate.name, gate.area, gate.is_key_area) == (school_id, "校门", "大门", True)
    assert (gate.main_stream_url, gate.sub_stream_url) == (
        "rtsp://10.1.1.1:554/main",
        "rtsp://10.1.1.1:554/sub",
    )
    assert gate.credential_ref is None
    # Without a sub stream, the main stream serves small tiles too.
    assert cameras["C2"].sub_stream_url == "https://media.example/live/c2.m3u8"
    assert cameras["C2"].is_key_area is False
    assert cameras["C3"].is_key_area is True
    assert cameras["C4"].is_key_area is False


def test_chinese_headers_and_credential_ref(city, write_csv):
    add_school(city, "QD0001")
    header = ("摄像头编码", "学校代码", "名称", "重点区域", "主码流", "子码流", "凭据引用")
    rows = [("C1", "QD0001", "校门", "否", "rtsp://h/main", "rtsp://h/sub", "cam/qd0001/gate")]
    result = import_cameras(city, write_csv("cams.csv", header, rows, encoding="gb18030"))
    assert result.ok, result.errors
    assert result.encoding == "gb18030"
    assert _cameras(city)["C1"].credential_ref == "cam/qd0001/gate"


def test_reimport_updates_and_keeps_unmentioned_values(city, write_csv):
    add_school(city, "QD0001")
    other = add_school(city, "QD0002")
    header = (*CAMERA_HEADER, "credential_ref")
    first = [("C1", "QD0001", "校门", "大门", "1", "rtsp://h/1", "rtsp://h/1s", "ref-1")]
    assert import_cameras(city, write_csv("a.csv", header, first)).inserted == 1
    again = [
        ("C1", "QD0002", "南门", "", "", "rtsp://h/1b", "", ""),
        ("C2", "QD0002", "新", "", "", "rtsp://h/2", "", ""),
    ]
    result = import_cameras(city, write_csv("b.csv", header, again))
    assert (result.inserted, result.updated) == (1, 1)
    assert _count(city, Camera) == 2
    camera = _cameras(city)["C1"]
    assert (camera.school_id, camera.name, camera.main_stream_url) == (other, "南门", "rtsp://h/1b")
    assert (camera.area, camera.is_key_area, camera.sub_stream_url, camera.credential_ref) == (
        "大门",
        True,
        "rtsp://h/1s",
        "ref-1",
    )


@pytest.mark.expect_log(r"CSV import of cameras from bad\.csv failed: 13 errors, nothing was written")
def test_every_bad_camera_row_is_reported(city, write_csv):
    add_school(city, "QD0001")
    rows = [
        ("", "QD0001", "n", "", "", "rtsp://h/a", ""),
        ("D2", "QD9999", "n", "", "", "rtsp://h/a", ""),
        ("D3", "QD0001", "", "", "", "rtsp://h/a", ""),
        ("D4", "QD0001", "n", "", "maybe", "rtsp://h/a", ""),
        ("D5", "QD0001", "n", "", "", "", ""),
        ("D6", "QD0001", "n", "", "", "ftp://h/a", ""),
        ("D7", "QD0001", "n", "", "", "rtsp://admin:12345@h/a", ""),
        ("D8", "QD0001", "n", "", "", "rtsp://h/a b", ""),
        ("D9", "QD0001", "n", "", "", "rtsp:///nohost", ""),
        ("D10", "QD0001", "n", "", "", "rtsp://h:port/a", ""),
        ("D11", "QD0001", "n", "x" * 65, "", "http://h/" + "a" * 600, ""),
        ("D2", "QD0001", "n", "", "", "rtsp://h/a", ""),
    ]
    result = import_cameras(city, write_csv("bad.csv", CAMERA_HEADER, rows))
    found = {(e.line, e.column): e.reason for e in result.errors}
    expected = {
        (2, "code"): "required",
        (3, "school_code"): "unknown school 'QD9999'",
        (4, "name"): "required",
        (5, "key_area"): "not yes/no: 'maybe'",
        (6, "main_url"): "required",
        (7, "main_url"): "unsupported URL scheme 'ftp'",
        (8, "main_url"): "contains a password",
        (9, "main_url"): "cannot contain spaces",
        (10, "main_url"): "names no host",
        (11, "main_url"): "not a valid URL",
        (12, "area"): "too long: 65 characters, at most 64",
        (12, "main_url"): "too long: 609 characters, at most 512",
    }
    assert set(found) == set(expected) | {(13, "code")}
    for key, text in expected.items():
        assert text in found[key], (key, found[key])
    assert found[(13, "code")] == "duplicate code 'D2': already on line 3"
    assert result.inserted == 0
    assert _count(city, Camera) == 0


@pytest.mark.expect_log(r"failed: 1 errors")
def test_a_camera_for_an_unknown_school_stops_the_whole_file(city, write_csv):
    add_school(city, "QD0001")
    rows = [(f"C{i}", "QD0001", "n", "", "", f"rtsp://h/{i}", "") for i in range(50)]
    rows.insert(25, ("CX", "NOPE", "n", "", "", "rtsp://h/x", ""))
    result = import_cameras(city, write_csv("c.csv", CAMERA_HEADER, rows))
    assert result.errors == (
        RowError(
            27, "school_code", "unknown school 'NOPE': not in the database nor in the schools being imported"
        ),
    )
    assert _count(city, Camera) == 0


@pytest.mark.parametrize("column", ["password", "Password", "密码", "pwd", "camera_passwd", "口令"])
@pytest.mark.expect_log(r"refused: .*password column")
def test_a_password_column_is_refused(city, write_csv, column):
    add_school(city, "QD0001")
    path = write_csv(
        "c.csv", (*CAMERA_HEADER, column), [("C1", "QD0001", "n", "", "", "rtsp://h/1", "", "x")]
    )
    with pytest.raises(CsvImportError, match="credentials in the secret store"):
        import_cameras(city, path)
    assert _count(city, Camera) == 0


def test_schools_and_cameras_import_as_one_batch(city, write_csv):
    schools = write_csv("s.csv", SCHOOL_HEADER, [("N1", "新校", "370203", "初中", "120.37", "36.09", "", "")])
    cameras = write_csv("c.csv", CAMERA_HEADER, [("NC1", "N1", "校门", "", "", "rtsp://h/1", "")])
    school_result, camera_result = import_schools_and_cameras(city, schools, cameras)
    assert school_result.ok and camera_result.ok
    assert (school_result.inserted, camera_result.inserted) == (1, 1)
    with Session(city) as session:
        camera = session.scalars(select(Camera)).one()
        assert camera.school.code == "N1"


@pytest.mark.expect_log(r"CSV import of cameras from c\.csv failed: 1 errors")
def test_a_bad_camera_in_a_batch_keeps_the_schools_out_too(city, write_csv):
    schools = write_csv("s.csv", SCHOOL_HEADER, [("N1", "新校", "370203", "初中", "120.37", "36.09", "", "")])
    cameras = write_csv("c.csv", CAMERA_HEADER, [("NC1", "N1", "校门", "", "", "mms://h/1", "")])
    school_result, camera_result = import_schools_and_cameras(city, schools, cameras)
    assert school_result.ok and school_result.inserted == 0
    assert [e.line for e in camera_result.errors] == [2]
    assert _count(city, School) == 0


@pytest.mark.expect_log(r"changed during the import")
def test_a_file_changed_between_the_passes_writes_nothing(city, write_csv):
    add_school(city, "QD0001")
    rows = [(f"C{i}", "QD0001", "n", "", "", f"rtsp://h/{i}", "") for i in range(3_000)]
    path = write_csv("c.csv", CAMERA_HEADER, rows)

    def rewrite_when_validated(progress):
        if progress.stage == "validating" and progress.fraction == 1.0:
            path.write_text(
                path.read_text(encoding="utf-8") + "C9,QD0001,n,,,rtsp://h/9,\r\n", encoding="utf-8"
            )

    with pytest.raises(CsvImportError, match="changed during the import"):
        import_cameras(city, path, progress=rewrite_when_validated)
    assert _count(city, Camera) == 0


@pytest.mark.slow
def test_a_large_camera_file_imports_in_sane_time(city, write_csv):
    schools = [
        (f"S{i:04d}", f"学校{i}", "370202", "小学", "120.38", "36.07", "500", "40") for i in range(2_000)
    ]
    cameras = [
        (
            f"S{i % 2_000:04d}-C{i:06d}",
            f"S{i % 2_000:04d}",
            f"摄像头{i}",
            "教学楼",
            "否",
            f"rtsp://10.{i % 250}.{i // 250 % 250}.1:554/main",
            f"rtsp://10.{i % 250}.{i // 250 % 250}.1:554/sub",
        )
        for i in range(20_000)
    ]
    school_path = write_csv("s.csv", SCHOOL_HEADER, schools)
    camera_path = write_csv("c.csv", CAMERA_HEADER, cameras)
    started = time.perf_counter()
    school_result, camera_result = import_schools_and_cameras(city, school_path, camera_path)
    elapsed = time.perf_counter() - started
    assert school_result.inserted == 2_000 and camera_result.inserted == 20_000
    assert _count(city, Camera) == 20_000
    # About 2 s on SQLite and 3 s on PostgreSQL on a shared 2-core machine; 60 s means broken.
    assert elapsed < 60, elapsed
    started = time.perf_counter()
    again = import_cameras(city, camera_path)
    assert (again.inserted, again.updated) == (0, 20_000)
    assert time.perf_counter() - started < 60
