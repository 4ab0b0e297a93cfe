"""Importing schools: good files, every kind of bad row, all-or-nothing, upsert by code."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.csv_import import (
    CsvImportError,
    ImportKind,
    ImportProgress,
    RowError,
    import_schools,
)
from services.db.models import ContactRole, School, SchoolContact, SchoolType
from tests.services.csv_import.conftest import SCHOOL_HEADER, add_school, district_id

CHINESE_HEADER = (
    "学校代码",
    "学校名称",
    "区市",
    "学校类型",
    "经度",
    "纬度",
    "学生数",
    "教职工数",
    "地址",
    "校长",
    "校长电话",
    "安全负责人",
    "安全负责人电话",
    "试点",
)
GOOD_CHINESE_ROWS = [
    (
        "QD0001",
        "青岛第一中学",
        "市南区",
        "高中",
        "120.3826",
        "36.0671",
        "1,850",
        "160",
        "香港中路1号",
        "王校长",
        "0532-80000001",
        "李主任",
        "13900000001",
        "是",
    ),
    ("QD0002", "崂山实验小学", "370212", "小学", "120.468", "36.107", "960", "70", "", "", "", "", "", ""),
    ("QD0003", "西海岸幼儿园", "西海岸新区", "幼儿园", "120.198", "35.960", "", "", "", "", "", "", "", "否"),
    (
        "QD0004",
        "Jiaozhou Vocational",
        "jiaozhou city",
        "中职",
        "120.03",
        "36.28",
        "2000",
        "150",
        "",
        "",
        "",
        "",
        "",
        "",
    ),
]


def _schools(engine) -> dict[str, School]:
    with Session(engine) as session:
        return {s.code: s for s in session.scalars(select(School))}


def _contacts(engine, code: str) -> dict[ContactRole, tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(SchoolContact.role, SchoolContact.name, SchoolContact.phone)
            .join(School)
            .where(School.code == code)
        )
        return {role: (name, phone) for role, name, phone in rows}


def test_a_good_file_with_chinese_headers_imports(city, write_csv):
    path = write_csv("schools.csv", CHINESE_HEADER, GOOD_CHINESE_ROWS)
    result = import_schools(city, path)
    assert result.ok, result.errors
    assert (result.kind, result.rows_read, result.inserted, result.updated) == (ImportKind.SCHOOLS, 4, 4, 0)
    assert result.encoding == "utf-8"
    schools = _schools(city)
    first = schools["QD0001"]
    assert first.name == "青岛第一中学"
    assert first.school_type is SchoolType.HIGH
    assert first.district_id == district_id(city, "370202")
    assert (first.longitude, first.latitude) == (120.3826, 36.0671)
    assert (first.student_count, first.staff_count, first.address) == (1850, 160, "香港中路1号")
    assert first.is_pilot is True and first.is_demo is False
    assert _contacts(city, "QD0001") == {
        ContactRole.PRINCIPAL: ("王校长", "0532-80000001"),
        ContactRole.SECURITY_CHIEF: ("李主任", "13900000001"),
    }
    assert schools["QD0002"].district_id == district_id(city, "370212")
    assert schools["QD0003"].district_id == district_id(city, "370211")  # 西海岸新区 is 黄岛区
    assert schools["QD0003"].school_type is SchoolType.KINDERGARTEN
    assert (schools["QD0003"].student_count, schools["QD0003"].address) == (0, "")
    assert schools["QD0004"].district_id == district_id(city, "370281")
    assert schools["QD0004"].school_type is SchoolType.VOCATIONAL
    assert _contacts(city, "QD0002") == {}


def test_english_headers_in_any_order_and_missing_optional_columns(city, write_csv):
    header = ("Latitude", "Longitude", "Type", "District", "Name", "Code")
    path = write_csv("s.csv", header, [("36.1", "120.4", "special", "Shinan", "Special School", "E1")])
    result = import_schools(city, path)
    assert result.ok and result.inserted == 1
    school = _schools(city)["E1"]
    assert (school.longitude, school.latitude, school.school_type) == (120.4, 36.1, SchoolType.SPECIAL)
    assert school.district_id == district_id(city, "370202")


def test_unknown_columns_are_reported_as_ignored(city, write_csv):
    path = write_csv(
        "s.csv", (*SCHOOL_HEADER, "备注"), [("A1", "a", "370202", "小学", 120.4, 36.1, 1, 1, "x")]
    )
    result = import_schools(city, path)
    assert result.ok
    assert result.ignored_columns == ("备注",)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_bom_and_chinese_excel_encodings_import(city, write_csv, encoding):
    path = write_csv("schools.csv", CHINESE_HEADER, GOOD_CHINESE_ROWS, encoding=encoding)
    result = import_schools(city, path)
    assert result.ok, result.errors
    assert result.inserted == 4
    assert result.encoding == ("utf-8-sig" if encoding == "utf-8-sig" else "gb18030")
    assert _schools(city)["QD0002"].name == "崂山实验小学"


def test_reimport_updates_instead_of_duplicating(city, write_csv):
    path = write_csv("schools.csv", CHINESE_HEADER, GOOD_CHINESE_ROWS)
    assert import_schools(city, path).inserted == 4
    changed = [list(row) for row in GOOD_CHINESE_ROWS]
    changed[0][1] = "青岛一中"
    changed[0][9] = "新校长"
    changed[1][3] = "初中"
    changed.append(["QD0005", "新学校", "城阳区", "初中", "120.39", "36.30", "", "", "", "", "", "", "", ""])
    result = import_schools(city, write_csv("schools2.csv", CHINESE_HEADER, changed))
    assert result.ok
    assert (result.inserted, result.updated) == (1, 4)
    schools = _schools(city)
    assert len(schools) == 5
    assert schools["QD0001"].name == "青岛一中"
    assert schools["QD0002"].school_type is SchoolType.MIDDLE
    assert schools["QD0002"].student_count == 960
    # One principal, replaced, not a second one added.
    assert _contacts(city, "QD0001")[ContactRole.PRINCIPAL] == ("新校长", "0532-80000001")


def test_an_update_keeps_what_the_file_leaves_empty_or_out(city, write_csv):
    school_id = add_school(
        city, "K1", address="老地址", student_count=500, staff_count=40, is_pilot=True, is_demo=True
    )
    path = write_csv(
        "s.csv", (*SCHOOL_HEADER, "address"), [("K1", "新名", "370202", "小学", 120.4, 36.1, "", "", "")]
    )
    result = import_schools(city, path)
    assert (result.inserted, result.updated) == (0, 1)
    school = _schools(city)["K1"]
    assert school.id == school_id
    assert (school.name, school.address, school.student_count, school.staff_count) == (
        "新名",
        "老地址",
        500,
        40,
    )
    assert school.is_pilot is True
    assert school.is_demo is False  # imported data is real data


BAD_ROWS = [
    # (row, expected column, reason pattern)
    (("", "n", "370202", "小学", "120.4", "36.1", "", ""), "code", "required"),
    (("B2", "", "370202", "小学", "120.4", "36.1", "", ""), "name", "required"),
    (("B3", "n", "370299", "小学", "120.4", "36.1", "", ""), "district", "unknown district '370299'"),
    (("B4", "n", "370202", "大学", "120.4", "36.1", "", ""), "type", "unknown school type '大学'"),
    (("B5", "n", "370202", "小学", "east", "36.1", "", ""), "longitude", "not a number"),
    (("B6", "n", "370202", "小学", "120.4", "", "", ""), "latitude", "required"),
    (("B7", "n", "370202", "小学", "116.4", "36.1", "", ""), "longitude", "outside the region"),
    (("B8", "n", "370202", "小学", "120.4", "95", "", ""), "latitude", "outside the region"),
    (("B9", "n", "370202", "小学", "36.1", "120.4", "", ""), "longitude", "look swapped"),
    (("B10", "n", "370202", "小学", "120.4", "36.1", "-3", ""), "students", "cannot be negative"),
    (("B11", "n", "370202", "小学", "120.4", "36.1", "12.5", ""), "students", "not a whole number"),
    (("B12", "n", "370202", "小学", "120.4", "36.1", "", "many"), "staff", "not a whole number"),
    (
        ("B13", "x" * 129, "370202", "小学", "120.4", "36.1", "", ""),
        "name",
        "too long: 129 characters, at most 128",
    ),
    (("C" * 33, "n", "370202", "小学", "120.4", "36.1", "", ""), "code", "too long"),
    (("B15", "n", "370202", "小学", "nan", "36.1", "", ""), "longitude", "not a finite number"),
]


@pytest.mark.expect_log(r"CSV import of schools from bad\.csv failed: 16 errors, nothing was written")
def test_every_bad_row_is_reported_with_line_column_and_reason(city, write_csv, caplog):
    rows = [row for row, _, _ in BAD_ROWS] + [("B2", "dup", "370202", "小学", "120.4", "36.1", "", "")]
    result = import_schools(city, write_csv("bad.csv", SCHOOL_HEADER, rows))
    assert not result.ok
    assert (result.inserted, result.updated, result.rows_read) == (0, 0, len(rows))
    by_line = {error.line: error for error in result.errors}
    assert len(result.errors) == len(by_line) == len(rows)
    for number, (_, column, pattern) in enumerate(BAD_ROWS, start=2):
        error = by_line[number]
        assert error.column == column, error
        assert re.search(pattern, error.reason), error
    last = len(rows) + 1
    assert by_line[last] == RowError(last, "code", "duplicate code 'B2': already on line 3")
    assert "failed: 16 errors" in caplog.text
    assert _schools(city) == {}


@pytest.mark.expect_log(r"failed: 1 errors")
def test_one_bad_row_among_good_rows_changes_nothing(city, write_csv):
    add_school(city, "QD0001", name="原名")
    rows = [list(row) for row in GOOD_CHINESE_ROWS]
    rows[2][4] = "999"  # QD0003's longitude
    result = import_schools(city, write_csv("s.csv", CHINESE_HEADER, rows))
    assert result.errors == (RowError(4, "经度", result.errors[0].reason),)
    assert "outside the region" in result.errors[0].reason
    schools = _schools(city)
    assert list(schools) == ["QD0001"]
    assert schools["QD0001"].name == "原名"
    assert _contacts(city, "QD0001") == {}


@pytest.mark.expect_log(r"failed: 4 errors")
def test_contact_phone_checks(city, write_csv):
    header = (*SCHOOL_HEADER, "principal", "principal_phone", "security_chief", "security_phone")
    base = ("n", "370202", "小学", "120.4", "36.1", "", "")
    rows = [
        ("P1", *base, "王", "1.39E+10", "", ""),
        ("P2", *base, "", "13900000000", "", ""),
        ("P3", *base, "王", "call me", "", ""),
        ("P4", *base, "王", "0532-8888 8888转123", "李", "+86 139 0000 0000"),
        ("P5", *base, "王", "", "李", "1" * 33),
    ]
    result = import_schools(city, write_csv("s.csv", header, rows))
    reasons = {(e.line, e.column): e.reason for e in result.errors}
    assert "Excel turned the phone number into '1.39E+10'" in reasons[(2, "principal_phone")]
    assert "without a name" in reasons[(3, "principal_phone")]
    assert "not a phone number" in reasons[(4, "principal_phone")]
    assert "too long" in reasons[(6, "security_phone")]
    assert len(reasons) == 4


@pytest.mark.expect_log(r"failed: 2 errors")
def test_a_row_wider_than_the_header_and_an_excel_text_formula(city, write_csv):
    rows = [
        ("W1", "n", "370202", "小学", "120.4", "36.1", "", "", "stray"),
        ('="007"', "n", "370202", "小学", "120.4", "36.1", "", ""),
        ("W3", "n", "370202", "小学", "120.4", "36.1", "", "", ""),
        ("W1", "n", "370202", "小学", "120.4", "36.1", "", ""),
    ]
    result = import_schools(city, write_csv("s.csv", SCHOOL_HEADER, rows))
    assert [(e.line, e.column) for e in result.errors] == [(2, ""), (5, "code")]
    assert "9 cells but the header names only 8" in result.errors[0].reason


@pytest.mark.expect_log(r"failed: 1 errors")
def test_blank_rows_are_skipped_and_line_numbers_count_physical_lines(city, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        ",".join(SCHOOL_HEADER)
        + "\n"
        + ",,,,,,,\n"
        + 'M1,"two\nline name",370202,小学,120.4,36.1,,\n'
        + "M2,n,370202,小学,120.4,east,,\n",
        encoding="utf-8",
    )
    result = import_schools(city, path)
    assert result.rows_read == 2
    assert [(e.line, e.column) for e in result.errors] == [(5, "latitude")]


def test_a_line_break_inside_a_cell_becomes_a_space(city, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        ",".join(SCHOOL_HEADER) + '\nM1,"two\r\nline name",370202,小学,120.4,36.1,,\n', encoding="utf-8"
    )
    assert import_schools(city, path).inserted == 1
    assert _schools(city)["M1"].name == "two line name"


@pytest.mark.expect_log(r"failed: 1\d{3} errors")
def test_the_error_list_is_capped_and_the_rest_counted(city, write_csv):
    rows = [(f"X{i}", "n", "370202", "小学", "120.4", "north", "", "") for i in range(1_200)]
    result = import_schools(city, write_csv("s.csv", SCHOOL_HEADER, rows))
    assert len(result.errors) == 1_000
    assert result.more_errors == 200
    assert result.error_count == 1_200


def test_progress_is_reported_per_pass(city, write_csv):
    rows = [(f"G{i}", "n", "370202", "小学", "120.4", "36.1", "", "") for i in range(5_000)]
    seen: list[ImportProgress] = []
    result = import_schools(city, write_csv("s.csv", SCHOOL_HEADER, rows), progress=seen.append)
    assert result.inserted == 5_000
    stages = [p.stage for p in seen]
    assert stages == ["validating"] * 3 + ["writing"] * 3
    assert [p.rows for p in seen[:3]] == [2_000, 4_000, 5_000]
    assert seen[-1].fraction == 1.0
    assert all(0.0 < p.fraction <= 1.0 for p in seen)
    with Session(city) as session:
        assert session.scalar(select(func.count()).select_from(School)) == 5_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (",".join(SCHOOL_HEADER).encode() + b"\r\n", "no data rows"),
        (b"\r\nA1,n\r\n", "line 1 is empty"),
        (
            b"code,name,district\r\nA1,n,370202\r\n",
            r"lacks required schools column\(s\): type \(学校类型\); "
            r"longitude \(经度\); latitude \(纬度\)",
        ),
        (b"code,name,\xff\xfe\xfa,x\r\n", "not text in UTF-8 or GB18030"),
        (b"code,name,code,type\r\n", "both give the code column"),
    ],
)
@pytest.mark.expect_log(r"CSV import .*(refused|failed)")
def test_unusable_files_raise_a_clear_error(city, tmp_path, content, message):
    path = tmp_path / "s.csv"
    path.write_bytes(content)
    with pytest.raises(CsvImportError, match=message):
        import_schools(city, path)


@pytest.mark.expect_log(r"refused: .*no such file")
def test_a_missing_file_raises(city, tmp_path):
    with pytest.raises(CsvImportError, match="no such file"):
        import_schools(city, tmp_path / "absent.csv")


@pytest.mark.expect_log(r"refused: .*password column")
def test_a_password_column_is_refused_even_in_a_school_file(city, write_csv):
    path = write_csv(
        "s.csv", (*SCHOOL_HEADER, "管理员密码"), [("A", "n", "370202", "小学", 120.4, 36.1, 1, 1, "x")]
    )
    with pytest.raises(CsvImportError, match="secret store"):
        import_schools(city, path)
