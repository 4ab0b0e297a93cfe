"""Opening a CSV file as Excel or WPS write it: encoding, delimiter, header, then streamed rows.

Chinese Excel saves "CSV" in the ANSI code page (GBK, a subset of GB18030) and "CSV UTF-8" as UTF-8
with a byte order mark; WPS writes either. The encoding is found by decoding the whole file as
UTF-8 and, when that fails, as GB18030: a GBK file is almost never valid UTF-8, while every UTF-8
file would also decode (wrongly) as GB18030, so the order matters. Rows are streamed: the file is
read again for each pass rather than held in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NoReturn

from services.csv_import.result import CsvImportError, ImportKind
from services.csv_import.schema import HeaderMap, map_header

_CHUNK = 1 << 20
_DELIMITERS = (",", "\t", ";")


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int  # 1-based line of the file where the row starts
    cells: list[str]


def _first_bad_line(path: Path, encoding: str) -> int | None:
    """None when *path* decodes as *encoding*, else the 1-based line of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return newlines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
            if not chunk:
                return None
            newlines += chunk.count(b"\n")


def detect_encoding(path: Path) -> str:
    """The codec to read *path* with: utf-8-sig, utf-8, gb18030 or utf-16 (only with its BOM)."""
    with path.open("rb") as stream:
        head = stream.read(3)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export; the BOM says so unambiguously.
        return "utf-16" if _first_bad_line(path, "utf-16") is None else _undecodable(path, "UTF-16")
    if _first_bad_line(path, "utf-8") is None:
        return "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
    bad_line = _first_bad_line(path, "gb18030")
    if bad_line is None:
        return "gb18030"
    return _undecodable(path, f"UTF-8 or GB18030 (first undecodable byte on line {bad_line})")


def _undecodable(path: Path, tried: str) -> NoReturn:
    raise CsvImportError(
        f'{path.name} is not text in {tried}; save it from Excel or WPS as "CSV UTF-8" or as CSV'
    )


def _guess_delimiter(header_line: str) -> str:
    # Excel in some locales separates with ";", and "Unicode text" with tabs; the header line,
    # which holds only column names, shows which one is in use.
    counts = {delimiter: header_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvSource:
    """One CSV file, checked to be usable; `rows()` streams its data rows, once per pass."""

    def __init__(self, path: Path, kind: ImportKind) -> None:
        self.path = path
        self.kind = kind
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise CsvImportError(f"{path}: no such file") from None
        except OSError as exc:
            raise CsvImportError(f"{path}: cannot read it ({exc.strerror})") from exc
        if not path.is_file():
            raise CsvImportError(f"{path}: not a file")
        if stat.st_size == 0:
            raise CsvImportError(f"{path.name} is empty: it needs a header line and data rows")
        self.size = stat.st_size
        self._stamp = (stat.st_size, stat.st_mtime_ns)
        self._stream: BinaryIO | None = None
        try:
            self.encoding = detect_encoding(path)
            with path.open(encoding=self.encoding, newline="") as text:
                header_line = text.readline()
        except OSError as exc:
            raise CsvImportError(f"{path}: cannot read it ({exc.strerror})") from exc
        self.delimiter = _guess_delimiter(header_line)
        header_cells = next(csv.reader([header_line], delimiter=self.delimiter), [])
        if not any(cell.strip() for cell in header_cells):
            raise CsvImportError(f"{path.name}: line 1 is empty; it must be the header naming the columns")
        self.header: HeaderMap = map_header(kind, header_cells)
        self.width = len(header_cells)

    def fraction_read(self) -> float:
        """How far the current pass has read, 0..1 (by bytes; for progress reports)."""
        stream = self._stream
        if stream is None or stream.closed:
            return 0.0
        return min(1.0, stream.tell() / self.size)

    def rows(self) -> Iterator[SourceRow]:
        """The data rows (blank rows skipped). Raises CsvImportError if the file changed since it
        was opened or is not readable CSV."""
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise CsvImportError(f"{self.path}: cannot read it ({exc.strerror})") from exc
        if (stat.st_size, stat.st_mtime_ns) != self._stamp:
            raise CsvImportError(f"{self.path.name} changed during the import; nothing was written")
        line = 1
        try:
            with (
                self.path.open("rb") as stream,
                io.TextIOWrapper(stream, encoding=self.encoding, newline="") as text,
            ):
                self._stream = stream
                reader = csv.reader(text, delimiter=self.delimiter)
                next(reader, None)
                line = reader.line_num + 1
                for cells in reader:
                    start, line = line, reader.line_num + 1
                    # Excel leaves rows of empty cells below edited tables; they are not data.
                    if any(cell.strip() for cell in cells):
                        yield SourceRow(start, cells)
        except csv.Error as exc:
            raise CsvImportError(f"{self.path.name}, line {line}: not valid CSV ({exc})") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CsvImportError(f"{self.path.name}, line {line}: cannot read it ({exc})") from exc
        finally:
            self._stream = None
