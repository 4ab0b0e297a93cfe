"""Logging for the console: stderr and a rotating log file in the data folder, and the hook that
catches unexpected exceptions (a bug in a slot must not kill a control-room console)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from services.access.secrets import install_redaction

log = logging.getLogger("console")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_COUNT = 5


def log_file_path(data_dir: Path) -> Path:
    return data_dir / "logs" / "safecampus.log"


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Log to stderr and to a rotating file; return the file (None when it cannot be written)."""
    root = logging.getLogger()
    root.setLevel(level)
    formatter = logging.Formatter(LOG_FORMAT)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(formatter)
    root.addHandler(stderr)
    path = log_file_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        log.warning("cannot write the log file %s (%s): logging to stderr only", path, exc)
        install_redaction()
        return None
    handler.setFormatter(formatter)
    root.addHandler(handler)
    install_redaction()  # no password or token in a URL or key=value reaches either handler
    return path


ExceptionReporter = Callable[[str, str], None]


class UnexpectedErrorHook:
    """A sys.excepthook that logs the traceback and tells the operator, then lets the program run.

    PySide6 hands an exception escaping a slot to sys.excepthook and carries on; so this hook is
    what keeps a bug in one button from ending a shift's work.
    """

    def __init__(self, report: ExceptionReporter | None) -> None:
        self._report = report
        self._reporting = False
        self._previous = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, error, tb)
            return
        log.error("unexpected error: %s: %s", kind.__name__, error, exc_info=(kind, error, tb))
        if self._report is None or self._reporting:
            return
        # An error raised while the dialog is up must not open a second one on top.
        self._reporting = True
        try:
            summary = "".join(traceback.format_exception_only(kind, error)).strip()
            self._report(summary, "".join(traceback.format_exception(kind, error, tb)))
        except Exception:  # the reporter itself failed: the log line above is all we can do
            log.exception("could not show the error dialog")
        finally:
            self._reporting = False
