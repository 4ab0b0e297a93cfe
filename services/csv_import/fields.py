"""Parsing one cell: numbers, yes/no, stream URLs, phone numbers. Each raises FieldError(reason)."""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from services.csv_import.schema import FALSE_WORDS, SCHOOL_TYPE_WORDS, TRUE_WORDS, URL_SCHEMES
from services.db.models import SchoolType

# Largest value an INTEGER column holds on both back ends.
MAX_COUNT = 2**31 - 1

_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")
_PHONE = re.compile(r"\+?[0-9][0-9\- ()]*(?:\s*(?:转|ext\.?|x)\s*[0-9]+)?", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"\s*[\r\n\t]+\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s")


class FieldError(ValueError):
    """The cell's value is not acceptable; the message says why, for the operator."""


def unwrap_excel_text(text: str) -> str:
    """Excel users keep leading zeros with a formula like ="00123"; take the text inside."""
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        return text[2:-1]
    return text


def check_text(text: str, max_length: int | None) -> str:
    if _CONTROL.search(text):
        # A line break typed in an Excel cell (Alt+Enter) is layout, not content.
        text = _LINE_BREAKS.sub(" ", text)
        if _CONTROL.search(text):
            raise FieldError("contains a control character")
    if max_length is not None and len(text) > max_length:
        raise FieldError(f"too long: {len(text)} characters, at most {max_length}")
    return text


def parse_degrees(text: str) -> float:
    try:
        value = float(text.rstrip("°").replace(",", ""))
    except ValueError:
        raise FieldError(f"not a number: {text!r} (decimal degrees expected, e.g. 120.3826)") from None
    if not math.isfinite(value):
        raise FieldError(f"not a finite number: {text!r}")
    return value


def parse_count(text: str) -> int:
    """A head count: a whole number >= 0; Excel's "1,234" and "1234.0" are accepted."""
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        value = float(cleaned) if "." in cleaned else int(cleaned)
    except ValueError:
        raise FieldError(f"not a whole number: {text!r}") from None
    if isinstance(value, float) and not value.is_integer():
        raise FieldError(f"not a whole number: {text!r}")
    if value < 0:
        raise FieldError(f"cannot be negative: {text!r}")
    if value > MAX_COUNT:
        raise FieldError(f"too large: {text!r}")
    return int(value)


def parse_yes_no(text: str) -> bool:
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FieldError(f"not yes/no: {text!r} (use yes/no, 是/否, 1/0 or true/false)")


def parse_school_type(text: str) -> SchoolType:
    kind = SCHOOL_TYPE_WORDS.get(text.strip()) or SCHOOL_TYPE_WORDS.get(text.strip().casefold())
    if kind is None:
        accepted = "幼儿园, 小学, 初中, 高中, 职业学校/中职, 特殊教育学校 or " + ", ".join(SchoolType)
        raise FieldError(f"unknown school type {text!r} (use {accepted})")
    return kind


def check_stream_url(text: str, max_length: int) -> str:
    check_text(text, max_length)
    if _SPACE.search(text):
        raise FieldError(f"a URL cannot contain spaces: {text!r}")
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError as exc:
        raise FieldError(f"not a valid URL: {text!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        allowed = ", ".join(sorted(URL_SCHEMES))
        raise FieldError(f"unsupported URL scheme {parts.scheme or '(none)'!r} in {text!r} (use {allowed})")
    if not parts.netloc.lstrip("@"):
        raise FieldError(f"the URL names no host: {text!r}")
    if parts.password is not None:
        raise FieldError(
            "the URL contains a password: store the credentials in the secret store and give their "
            "name in credential_ref"
        )
    return text


def check_phone(text: str, max_length: int) -> str:
    check_text(text, max_length)
    if _SCIENTIFIC.fullmatch(text):
        raise FieldError(
            f"Excel turned the phone number into {text!r}: format the column as text and export again"
        )
    if not _PHONE.fullmatch(text):
        raise FieldError(f"not a phone number: {text!r}")
    return text
