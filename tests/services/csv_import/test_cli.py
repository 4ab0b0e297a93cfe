"""The command line: prints the outcome and every error, exit code 1 when anything was refused."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from services.csv_import.cli import main
from tests.services.csv_import.conftest import CAMERA_HEADER, SCHOOL_HEADER

ROOT = Path(__file__).resolve().parents[3]


def test_a_good_import_prints_the_counts_and_exits_0(city, database_url, write_csv):
    path = write_csv("s.csv", SCHOOL_HEADER, [("A1", "甲校", "市南区", "小学", "120.38", "36.07", "10", "2")])
    out = io.StringIO()
    assert main(["schools", str(path), "--database", database_url], out=out) == 0
    assert out.getvalue().splitlines() == [
        "schools: imported; 1 rows read, 1 inserted, 0 updated (encoding utf-8)"
    ]


@pytest.mark.expect_log(r"failed: 2 errors")
def test_bad_rows_are_printed_and_exit_1(city, database_url, write_csv):
    path = write_csv("c.csv", CAMERA_HEADER, [("C1", "NOPE", "n", "", "", "ftp://h", "")])
    out = io.StringIO()
    assert main(["cameras", str(path), "--database", database_url], out=out) == 1
    lines = out.getvalue().splitlines()
    assert (
        lines[0] == "cameras: REFUSED, nothing written; 1 rows read, 0 inserted, 0 updated (encoding utf-8)"
    )
    assert lines[1].startswith("  line 2, column 'school_code': unknown school 'NOPE'")
    assert lines[2].startswith("  line 2, column 'main_url': unsupported URL scheme 'ftp'")


@pytest.mark.expect_log(r"refused: .*no such file")
def test_an_unusable_file_exits_1(city, database_url, tmp_path):
    out = io.StringIO()
    assert main(["schools", str(tmp_path / "none.csv"), "--database", database_url], out=out) == 1
    assert out.getvalue().startswith("error: ")
    assert "no such file" in out.getvalue()


def test_both_imports_two_files_as_one_batch(city, database_url, write_csv):
    schools = write_csv("s.csv", SCHOOL_HEADER, [("A1", "甲校", "市南区", "小学", "120.38", "36.07", "", "")])
    cameras = write_csv("c.csv", CAMERA_HEADER, [("C1", "A1", "门", "", "", "rtsp://h/1", "")])
    out = io.StringIO()
    assert main(["both", str(schools), str(cameras), "--database", database_url], out=out) == 0
    assert "cameras: imported; 1 rows read, 1 inserted" in out.getvalue()


def test_python_dash_m_runs_the_cli(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("code,name\nA1,n\n", encoding="utf-8")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.csv_import",
            "schools",
            str(path),
            "--database",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert "lacks required schools column(s)" in completed.stdout
