"""A database password comes from the environment, never from the URL on a command line, and
never reaches a log line."""

from __future__ import annotations

import logging

import pytest

from services.db.engine import open_database


def test_password_from_the_environment_completes_the_url(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no passwords")
    monkeypatch.setenv("SAFECAMPUS_DATABASE_PASSWORD", "s3cret-from-env")
    caplog.set_level(logging.INFO)
    engine = open_database(database_url)
    try:
        assert engine.url.password == "s3cret-from-env"
        with engine.connect() as connection:
            assert connection.exec_driver_sql("select 1").scalar() == 1
    finally:
        engine.dispose()
    assert "database ready" in caplog.text
    assert "s3cret-from-env" not in caplog.text


def test_sqlite_urls_are_left_alone(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECAMPUS_DATABASE_PASSWORD", "unused")
    engine = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert engine.url.password is None
    finally:
        engine.dispose()
