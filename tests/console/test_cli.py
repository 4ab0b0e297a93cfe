"""The command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import DEMO_SCHOOLS, UsageError, parse_options

pytestmark = pytest.mark.gui  # console/ imports PySide6 through its package siblings


def test_defaults():
    options = parse_options([], environ={})
    assert options.database_url is None
    assert options.language is None
    assert not options.demo
    assert options.demo_schools == DEMO_SCHOOLS
    assert not options.no_dialogs


def test_database_from_the_environment_and_the_flag_wins():
    env = {"SAFECAMPUS_DATABASE_URL": "postgresql+psycopg://h/db"}
    assert parse_options([], environ=env).database_url == "postgresql+psycopg://h/db"
    assert parse_options(["--database", "sqlite:///x.db"], environ=env).database_url == "sqlite:///x.db"


def test_flags(tmp_path: Path):
    options = parse_options(
        ["--demo", "--language", "en", "--data-dir", str(tmp_path), "--reset-layout", "--no-dialogs"],
        environ={},
    )
    assert options.demo and options.reset_layout and options.no_dialogs
    assert options.language == "en"
    assert options.data_dir == tmp_path.resolve()
    assert parse_options([], environ={"SAFECAMPUS_NO_DIALOGS": "1"}).no_dialogs


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--language", "fr"], "invalid choice"),
        (["--frobnicate"], "unrecognized arguments"),
        (["--database", " "], "must not be empty"),
        (["--demo-schools", "0"], "at least 1"),
    ],
)
def test_bad_arguments_raise_usage_error(argv, fragment):
    with pytest.raises(UsageError, match=fragment):
        parse_options(argv, environ={})
