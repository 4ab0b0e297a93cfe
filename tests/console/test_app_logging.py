"""Unexpected exceptions are logged and shown, and the program keeps running."""

from __future__ import annotations

import logging
import sys

import pytest

from console.app_logging import UnexpectedErrorHook, setup_logging

pytestmark = pytest.mark.gui


@pytest.mark.expect_log(r"unexpected error: ZeroDivisionError")
def test_hook_logs_the_traceback_and_reports_once(caplog):
    shown: list[tuple[str, str]] = []
    hook = UnexpectedErrorHook(lambda summary, details: shown.append((summary, details)))
    hook.install()
    try:
        assert sys.excepthook is hook
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
    finally:
        hook.uninstall()
    assert sys.excepthook is not hook
    assert shown and shown[0][0].startswith("ZeroDivisionError")
    assert "Traceback" in shown[0][1]
    record = next(r for r in caplog.records if "unexpected error" in r.getMessage())
    assert record.exc_info is not None


@pytest.mark.expect_log(r"unexpected error: ValueError", r"could not show the error dialog")
def test_a_failing_reporter_does_not_raise(caplog):
    def broken(summary, details):
        raise RuntimeError("no display")

    hook = UnexpectedErrorHook(broken)
    hook(ValueError, ValueError("x"), None)  # must not raise
    assert any("could not show" in r.getMessage() for r in caplog.records)


def test_log_file_is_written(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        path = setup_logging(tmp_path)
        logging.getLogger("console.test").info("hello log file")
        for handler in root.handlers:
            handler.flush()
        assert path is not None and "hello log file" in path.read_text(encoding="utf-8")
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
