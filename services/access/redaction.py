"""Keeping secrets out of log lines: redaction of text and a logging filter (docs/access.md).

Standard library only, so the video player worker processes can install the filter without
loading the database layer (they start in a fraction of a second). services.access.secrets
re-exports all of it.
"""

from __future__ import annotations

import logging
import re

MASK = "***"

# scheme://user:password@host -> scheme://user:***@host. The password runs to the last "@"
# before the path, so an unencoded "@" in it is masked too.
_URL_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^/\s]*)@")
# password=..., passwd: ..., "token": "...", also in query strings and JSON.
_KEY_VALUE = re.compile(
    r"(?P<head>(?i:\b(?:password|passwd|pwd|secret|token|api[_-]?key))[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<secret>[^\"'&\s,;}]+)"
)
# The whole userinfo of a URL ("user@" or "user:password@"), up to the last "@" before the path.
_USERINFO = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\s]+@")


def redact(text: str) -> str:
    """*text* with URL passwords and password/token values masked."""
    text = _URL_USERINFO.sub(lambda m: f"{m['head']}{MASK}@", text)
    return _KEY_VALUE.sub(lambda m: f"{m['head']}{MASK}", text)


def without_userinfo(url: str) -> str:
    """*url* with no user name or password in it: what a log line, tooltip or file may show of a
    stream URL (`http://admin:pw@cam/live` -> `http://cam/live`)."""
    return _USERINFO.sub(lambda m: m["scheme"], url.strip(), count=1)


class RedactingFilter(logging.Filter):
    """Redacts every record before a handler formats it: the message with its arguments, the
    exception text and the stack. Attached to handlers, so records from every logger pass it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
            broken = False
        except Exception:  # a broken format string must not lose the record
            message, broken = f"{record.msg} {record.args}", True
        cleaned = redact(message)
        if broken or cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Attach one RedactingFilter to every handler of *logger* (default: the root logger) and to
    the logger itself; calling again is harmless. A handler added later is not covered until
    this is called again (or `handler.addFilter(filter)`): the console and the hub call it right
    after configuring logging. Returns the filter, so a caller can remove it."""
    target = logger if logger is not None else logging.getLogger()
    existing = next((f for f in target.filters if isinstance(f, RedactingFilter)), None)
    shared = existing if existing is not None else RedactingFilter()
    if existing is None:
        target.addFilter(shared)
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(shared)
    return shared


def remove_redaction(redacting: RedactingFilter, logger: logging.Logger | None = None) -> None:
    target = logger if logger is not None else logging.getLogger()
    target.removeFilter(redacting)
    for handler in target.handlers:
        handler.removeFilter(redacting)
