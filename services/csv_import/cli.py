"""Command line: `python -m services.csv_import schools|cameras FILE --database URL`.

Also `python -m services.csv_import both SCHOOLS_FILE CAMERAS_FILE --database URL` to import both
as one batch. Prints the result and every listed error; exits 1 when anything was refused.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from services.csv_import.importer import import_cameras, import_schools, import_schools_and_cameras
from services.csv_import.result import CsvImportError, ImportResult
from services.db.engine import DatabaseError, open_database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.csv_import",
        description="Import schools and cameras from CSV (UTF-8, UTF-8 with BOM or GB18030/GBK).",
    )
    parser.add_argument("kind", choices=("schools", "cameras", "both"))
    parser.add_argument("files", nargs="+", metavar="FILE", help="the CSV file (both: schools, then cameras)")
    parser.add_argument("--database", required=True, metavar="URL", help="e.g. sqlite:///safecampus.db")
    return parser


def print_result(result: ImportResult, out: TextIO) -> None:
    status = "imported" if result.ok else "REFUSED, nothing written"
    print(
        f"{result.kind.value}: {status}; {result.rows_read} rows read, {result.inserted} inserted, "
        f"{result.updated} updated (encoding {result.encoding})",
        file=out,
    )
    if result.ignored_columns:
        print(f"  ignored columns: {', '.join(result.ignored_columns)}", file=out)
    for error in result.errors:
        print(f"  {error}", file=out)
    if result.more_errors:
        print(f"  ... and {result.more_errors} more errors", file=out)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    expected = 2 if args.kind == "both" else 1
    if len(args.files) != expected:
        parser.error(f"{args.kind} takes {expected} file(s)")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        engine = open_database(args.database)
    except DatabaseError as exc:
        print(f"error: {exc}", file=out)
        return 1
    try:
        if args.kind == "schools":
            results: tuple[ImportResult, ...] = (import_schools(engine, args.files[0]),)
        elif args.kind == "cameras":
            results = (import_cameras(engine, args.files[0]),)
        else:
            results = import_schools_and_cameras(engine, args.files[0], args.files[1])
    except CsvImportError as exc:
        print(f"error: {exc}", file=out)
        return 1
    finally:
        engine.dispose()
    for result in results:
        print_result(result, out)
    return 0 if all(result.ok for result in results) else 1
