"""What an import reports back: the outcome, every row error, and progress while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# More errors than this are counted, not listed: a wrong file can produce one per cell.
MAX_LISTED_ERRORS = 1_000


class ImportKind(StrEnum):
    SCHOOLS = "schools"
    CAMERAS = "cameras"


class CsvImportError(Exception):
    """The import could not run at all (file missing, unreadable, no header, a required column
    missing, a password column, or the database refused the write). Nothing was written."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in the file: *line* is the 1-based line of the file (the header is line 1, as
    Excel and WPS number rows), *column* the header as written in the file ("" for the whole row)."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: ImportKind
    rows_read: int
    inserted: int
    updated: int
    errors: tuple[RowError, ...]
    # The codec the file was read with: "utf-8", "utf-8-sig" (UTF-8 with BOM), "gb18030" or "utf-16".
    encoding: str
    # Errors found beyond the MAX_LISTED_ERRORS that are listed.
    more_errors: int = 0
    # Header cells that are not a known column; their values were not imported.
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors and self.more_errors == 0

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Reported every few thousand rows. *stage* is "validating" (first pass over the file) or
    "writing" (second pass, inside the transaction); *fraction* is that pass's share of the file."""

    kind: ImportKind
    stage: str
    rows: int
    fraction: float


@dataclass(slots=True)
class ErrorCollector:
    """Keeps the first MAX_LISTED_ERRORS errors and counts the rest."""

    limit: int = MAX_LISTED_ERRORS
    listed: list[RowError] = field(default_factory=list)
    more: int = 0

    def add(self, line: int, column: str, reason: str) -> None:
        if len(self.listed) < self.limit:
            self.listed.append(RowError(line, column, reason))
        else:
            self.more += 1

    @property
    def count(self) -> int:
        return len(self.listed) + self.more
