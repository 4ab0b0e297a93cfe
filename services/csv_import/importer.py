"""Importing schools and cameras from CSV: validate every row first, then write all in one go.

Pass 1 streams each file and records every bad cell, duplicate code and unknown school. Only when
no file has an error does pass 2 stream the files again and write them inside one transaction, so
a failed import changes nothing. Pass 2 validates again as it goes: if the file or the database
changed in between, it finds the difference and rolls everything back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from services.csv_import.parse import (
    CameraRow,
    DistrictLookup,
    RowReader,
    SchoolRow,
    parse_camera,
    parse_school,
)
from services.csv_import.result import (
    CsvImportError,
    ErrorCollector,
    ImportKind,
    ImportProgress,
    ImportResult,
)
from services.csv_import.schema import QINGDAO_BOUNDS, GeoBounds
from services.csv_import.source import CsvSource
from services.csv_import.write import school_ids, write_cameras, write_schools
from services.db.models import School
from services.db.repository import list_districts

log = logging.getLogger(__name__)

ProgressCallback = Callable[[ImportProgress], None]
R = TypeVar("R")

_PROGRESS_EVERY = 2_000


@dataclass(slots=True)
class _Job:
    kind: ImportKind
    source: CsvSource
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    rows_read: int = 0
    # Each code in the file and the line it first appears on.
    codes: dict[str, int] = field(default_factory=dict)

    def result(self, inserted: int = 0, updated: int = 0) -> ImportResult:
        return ImportResult(
            kind=self.kind,
            rows_read=self.rows_read,
            inserted=inserted,
            updated=updated,
            errors=tuple(self.errors.listed),
            encoding=self.source.encoding,
            more_errors=self.errors.more,
            ignored_columns=self.source.header.ignored,
        )


def _stream(
    job: _Job,
    parse_row: Callable[[RowReader], R | None],
    errors: ErrorCollector,
    stage: str,
    progress: ProgressCallback | None,
) -> Iterator[R]:
    """The valid records of *job*'s file; bad cells and repeated codes go to *errors*."""
    source = job.source
    first_line: dict[str, int] = {}
    count = 0
    for row in source.rows():
        count += 1
        reader = RowReader(row, source.header, source.width, errors)
        record = parse_row(reader)
        code = reader.raw("code")
        if code:
            seen = first_line.setdefault(code, row.line)
            if seen != row.line:
                reader.error("code", f"duplicate code {code!r}: already on line {seen}")
                record = None
        if record is not None:
            yield record
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress(ImportProgress(job.kind, stage, count, source.fraction_read()))
    job.rows_read = count
    job.codes = first_line
    if progress is not None:
        progress(ImportProgress(job.kind, stage, count, 1.0))


def _validate(job: _Job, parse_row: Callable[[RowReader], object], progress: ProgressCallback | None) -> None:
    for _ in _stream(job, parse_row, job.errors, "validating", progress):
        pass
    if job.rows_read == 0:
        raise CsvImportError(f"{job.source.path.name} has a header but no data rows")


class _Changed(Exception):
    """Pass 2 found an error pass 1 did not: the file or the database changed meanwhile."""


def _write_pass(
    job: _Job,
    parse_row: Callable[[RowReader], R | None],
    write: Callable[[Iterator[R]], tuple[int, int]],
    progress: ProgressCallback | None,
) -> ImportResult:
    errors = ErrorCollector(limit=1)
    inserted, updated = write(_stream(job, parse_row, errors, "writing", progress))
    if errors.count:
        raise _Changed(str(errors.listed[0]))
    return job.result(inserted, updated)


def _open(kind: ImportKind, path: str | os.PathLike[str]) -> CsvSource:
    try:
        return CsvSource(Path(path), kind)
    except CsvImportError as exc:
        log.warning("CSV import of %s from %s refused: %s", kind.value, Path(path).name, exc)
        raise


def _school_codes(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(select(School.code)).scalars())


def _run(
    engine: Engine,
    schools_path: str | os.PathLike[str] | None,
    cameras_path: str | os.PathLike[str] | None,
    progress: ProgressCallback | None,
    bounds: GeoBounds,
) -> list[ImportResult]:
    schools = _open(ImportKind.SCHOOLS, schools_path) if schools_path is not None else None
    cameras = _open(ImportKind.CAMERAS, cameras_path) if cameras_path is not None else None
    jobs = [_Job(source.kind, source) for source in (schools, cameras) if source is not None]
    try:
        districts = DistrictLookup(list_districts(engine))
        known_schools = _school_codes(engine) if cameras is not None else set()
    except SQLAlchemyError as exc:
        raise _database_error(jobs, exc) from exc

    def school_parser(reader: RowReader) -> SchoolRow | None:
        return parse_school(reader, districts, bounds)

    def camera_parser(known: Container[str]) -> Callable[[RowReader], CameraRow | None]:
        return lambda reader: parse_camera(reader, known)

    try:
        for job in jobs:
            if job.kind is ImportKind.SCHOOLS:
                _validate(job, school_parser, progress)
                known_schools |= job.codes.keys()
            else:
                _validate(job, camera_parser(known_schools), progress)
    except CsvImportError as exc:
        log.warning("CSV import refused: %s", exc)
        raise
    if any(job.errors.count for job in jobs):
        for job in jobs:
            if job.errors.count:
                log.warning(
                    "CSV import of %s from %s failed: %d errors, nothing was written",
                    job.kind.value,
                    job.source.path.name,
                    job.errors.count,
                )
        return [job.result() for job in jobs]

    try:
        with engine.begin() as connection:
            results = [_write_job(connection, job, school_parser, camera_parser, progress) for job in jobs]
    except _Changed as exc:
        log.warning("CSV import failed, nothing was written: %s", exc)
        raise CsvImportError(
            f"the file or the database changed during the import ({exc}); nothing was written, "
            "import it again"
        ) from exc
    except CsvImportError as exc:
        log.warning("CSV import failed, nothing was written: %s", exc)
        raise
    except SQLAlchemyError as exc:
        raise _database_error(jobs, exc) from exc
    for result, job in zip(results, jobs, strict=True):
        log.info(
            "imported %s from %s (%s): %d rows, %d inserted, %d updated%s",
            result.kind.value,
            job.source.path.name,
            result.encoding,
            result.rows_read,
            result.inserted,
            result.updated,
            f"; ignored columns: {', '.join(result.ignored_columns)}" if result.ignored_columns else "",
        )
    return results


def _write_job(
    connection: Connection,
    job: _Job,
    school_parser: Callable[[RowReader], SchoolRow | None],
    camera_parser: Callable[[Container[str]], Callable[[RowReader], CameraRow | None]],
    progress: ProgressCallback | None,
) -> ImportResult:
    if job.kind is ImportKind.SCHOOLS:
        return _write_pass(job, school_parser, lambda rows: write_schools(connection, rows), progress)
    # Read inside the transaction, after the schools of the same import were written.
    ids = school_ids(connection)
    return _write_pass(job, camera_parser(ids), lambda rows: write_cameras(connection, rows, ids), progress)


def _database_error(jobs: list[_Job], exc: SQLAlchemyError) -> CsvImportError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    names = ", ".join(job.source.path.name for job in jobs)
    log.warning("CSV import of %s failed in the database: %s", names, reason)
    return CsvImportError(f"the database refused the import of {names} ({reason}); nothing was written")


def import_schools(
    engine: Engine,
    path: str | os.PathLike[str],
    progress: ProgressCallback | None = None,
    *,
    bounds: GeoBounds = QINGDAO_BOUNDS,
) -> ImportResult:
    """Import schools from the CSV at *path* (upsert by code). Bad rows are reported in the
    result and nothing is written; an unusable file raises CsvImportError."""
    return _run(engine, path, None, progress, bounds)[0]


def import_cameras(
    engine: Engine, path: str | os.PathLike[str], progress: ProgressCallback | None = None
) -> ImportResult:
    """Import cameras from the CSV at *path* (upsert by code) for schools already in the database."""
    return _run(engine, None, path, progress, QINGDAO_BOUNDS)[0]


def import_schools_and_cameras(
    engine: Engine,
    schools_path: str | os.PathLike[str],
    cameras_path: str | os.PathLike[str],
    progress: ProgressCallback | None = None,
    *,
    bounds: GeoBounds = QINGDAO_BOUNDS,
) -> tuple[ImportResult, ImportResult]:
    """Import both files as one batch: cameras may belong to schools of the schools file, and an
    error in either file means nothing of either is written."""
    schools, cameras = _run(engine, schools_path, cameras_path, progress, bounds)
    return schools, cameras
