"""Reading files as Excel and WPS write them: encodings, delimiters, header names."""

from __future__ import annotations

import codecs

import pytest

from services.csv_import import CsvImportError, ImportKind
from services.csv_import.schema import map_header
from services.csv_import.source import CsvSource, detect_encoding


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"code,name\r\n", "utf-8"),
        ("学校代码,名称\r\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "学校代码,名称\r\n".encode(), "utf-8-sig"),
        ("学校代码,名称\r\n".encode("gbk"), "gb18030"),
        ("学校代码,名称,㐀\r\n".encode("gb18030"), "gb18030"),
        ("学校代码\t名称\r\n".encode("utf-16"), "utf-16"),
    ],
)
def test_detect_encoding(tmp_path, data, expected):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == expected


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"code,name\r\nA,\xff\xff\r\n")
    with pytest.raises(CsvImportError, match=r"first undecodable byte on line 2"):
        detect_encoding(path)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_taken_from_the_header(tmp_path, delimiter):
    path = tmp_path / "f.csv"
    header = delimiter.join(["code", "school_code", "name", "main_url"])
    path.write_text(
        f"{header}\r\nC1{delimiter}S1{delimiter}gate, north{delimiter}rtsp://h/1\r\n", encoding="utf-8"
    )
    source = CsvSource(path, ImportKind.CAMERAS)
    rows = list(source.rows())
    assert source.delimiter == delimiter
    assert [(r.line, r.cells[2]) for r in rows] == [(2, "gate, north" if delimiter != "," else "gate")]


def test_excel_unicode_text_is_read(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("编码\t学校代码\t名称\t主码流\r\nC1\tS1\t校门\trtsp://h/1\r\n", encoding="utf-16")
    source = CsvSource(path, ImportKind.CAMERAS)
    assert source.encoding == "utf-16"
    assert [r.cells for r in source.rows()] == [["C1", "S1", "校门", "rtsp://h/1"]]


REQUIRED = {
    "code": "code",
    "name": "name",
    "district": "district",
    "type": "type",
    "longitude": "longitude",
    "latitude": "latitude",
}


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Principal Phone", "principal_phone"),
        ("principal-phone", "principal_phone"),
        ("学生数(人)", "students"),
        ("学生数（人）", "students"),
        ("经度*", "longitude"),
        ("\ufeffCODE", "code"),
        ("*经度", None),
    ],
)
def test_header_names_are_matched_loosely(header, key):
    cells = {**REQUIRED}
    cells[key or "extra"] = header
    mapping = map_header(ImportKind.SCHOOLS, list(cells.values()))
    if key is None:
        assert mapping.ignored == (header,)
    else:
        assert mapping.header[key] == header.replace("\ufeff", "")
        assert mapping.index[key] == list(cells).index(key)


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(CsvImportError, match="not a file"):
        CsvSource(tmp_path, ImportKind.SCHOOLS)
