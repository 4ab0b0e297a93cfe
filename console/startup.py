"""The start-up sequence: open the database, seed the demo city, load the map and the schools.

The work runs on the database worker (console/db_bridge.py) while the main window is already on
screen with a progress indicator; the GUI gets plain records when it is done, or a `UserMessage`
that says what went wrong and what to check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal
from sqlalchemy.orm import Session

from console.db_bridge import DatabaseBridge, JobContext
from services.access.accounts import count_operators
from services.access.demo_accounts import seed_demo_operators
from services.db.engine import DatabaseError
from services.db.records import DistrictRecord, SchoolSummary
from services.db.repository import Totals, city_totals, count_schools, list_districts, list_school_summaries
from services.demo_city import seed_demo_city
from services.geo.districts import DEFAULT_DISTRICTS_PATH as DEFAULT_MAP_PATH
from services.geo.districts import DistrictBoundary, MapDataError, load_district_boundaries

log = logging.getLogger(__name__)

# Progress step keys sent from the worker; the GUI turns them into translated text.
STEP_OPEN = "open"
STEP_SEED = "seed"
STEP_MAP = "map"
STEP_SCHOOLS = "schools"


@dataclass(frozen=True, slots=True)
class CityData:
    """What the map page and the status bar show; reloaded after an import."""

    districts: tuple[DistrictRecord, ...]
    schools: tuple[SchoolSummary, ...]
    totals: Totals


@dataclass(frozen=True, slots=True)
class StartupResult:
    backend: str
    boundaries: tuple[DistrictBoundary, ...]
    city: CityData
    demo_created: bool
    operators: int = 0  # operator accounts in the database: none means "create the first administrator"


@dataclass(frozen=True, slots=True)
class UserMessage:
    """An error as the operator reads it (translated), plus the plain detail for the log."""

    title: str
    text: str
    detail: str


def load_city(ctx: JobContext) -> CityData:
    """Districts, every school's summary and the city totals (worker side)."""
    engine = ctx.engine
    districts = tuple(list_districts(engine))
    schools = tuple(list_school_summaries(engine))
    return CityData(districts=districts, schools=schools, totals=city_totals(engine))


def run_startup(
    ctx: JobContext, *, database_url: str, demo: bool, demo_schools: int, map_path: Path
) -> StartupResult:
    """The whole start-up on the worker thread; see the module docstring."""
    ctx.progress(0, 0, STEP_OPEN)
    backend = ctx.open_database(database_url)
    ctx.progress(0, 0, STEP_MAP)
    boundaries = tuple(load_district_boundaries(map_path))
    demo_created = False
    if demo and count_schools(ctx.engine) == 0:
        ctx.progress(0, demo_schools, STEP_SEED)
        summary = seed_demo_city(
            ctx.engine,
            schools=demo_schools,
            boundaries=boundaries,
            progress=lambda done, total: ctx.progress(done, total, STEP_SEED),
        )
        demo_created = summary.created
    with Session(ctx.engine) as session, session.begin():
        if demo:
            seed_demo_operators(session)  # the published demo accounts (README)
        operators = count_operators(session)
    ctx.progress(0, 0, STEP_SCHOOLS)
    city = load_city(ctx)
    return StartupResult(
        backend=backend, boundaries=boundaries, city=city, demo_created=demo_created, operators=operators
    )


def step_text(step: str) -> str:
    """The translated text shown for a progress step key."""
    texts = {
        STEP_OPEN: QCoreApplication.translate("Startup", "Opening the database…"),
        STEP_SEED: QCoreApplication.translate("Startup", "Creating the demo city…"),
        STEP_MAP: QCoreApplication.translate("Startup", "Loading the district map…"),
        STEP_SCHOOLS: QCoreApplication.translate("Startup", "Loading schools…"),
    }
    return texts.get(step, step)


def describe_startup_error(error: BaseException, *, database_url: str, map_path: Path) -> UserMessage:
    """Turn a start-up failure into what the operator needs to read (no traceback)."""
    detail = str(error).strip() or type(error).__name__
    if isinstance(error, DatabaseError):
        return UserMessage(
            title=QCoreApplication.translate("Startup", "Cannot open the database"),
            text=QCoreApplication.translate(
                "Startup",
                "SafeCampus cannot use the database.\n\n{detail}\n\n"
                "Check the --database URL (or SAFECAMPUS_DATABASE_URL), that the server is running "
                "and reachable, and the user's rights.",
            ).format(detail=detail),
            detail=f"database error: {detail}",
        )
    if isinstance(error, MapDataError):
        return UserMessage(
            title=QCoreApplication.translate("Startup", "Cannot load the map"),
            text=QCoreApplication.translate(
                "Startup",
                "The district map data is missing or damaged.\n\n{detail}\n\n"
                "File: {path}\nReinstall SafeCampus or point --map-data to a valid GeoJSON file.",
            ).format(detail=detail, path=str(map_path)),
            detail=f"map data error ({map_path}): {detail}",
        )
    return UserMessage(
        title=QCoreApplication.translate("Startup", "Start-up failed"),
        text=QCoreApplication.translate(
            "Startup", "SafeCampus could not start.\n\n{kind}: {detail}\n\nDetails are in the log file."
        ).format(kind=type(error).__name__, detail=detail),
        detail=f"unexpected start-up error: {type(error).__name__}: {detail}",
    )


class StartupSequence(QObject):
    """Runs `run_startup` through the bridge and reports back on the GUI thread.

    Signals: progress(text, done, total) with translated text (total 0: indeterminate);
    finished(StartupResult); failed(UserMessage, exception).
    """

    progress = Signal(str, int, int)
    finished = Signal(object)
    failed = Signal(object, object)

    def __init__(
        self,
        bridge: DatabaseBridge,
        *,
        database_url: str,
        demo: bool,
        demo_schools: int,
        map_path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._database_url = database_url
        self._demo = demo
        self._demo_schools = demo_schools
        self._map_path = map_path if map_path is not None else Path(DEFAULT_MAP_PATH)

    def start(self) -> None:
        url, demo, n, path = self._database_url, self._demo, self._demo_schools, self._map_path
        self._bridge.submit(
            lambda ctx: run_startup(ctx, database_url=url, demo=demo, demo_schools=n, map_path=path),
            on_done=self.finished.emit,
            on_error=self._on_error,
            on_progress=lambda done, total, step: self.progress.emit(step_text(step), done, total),
        )

    def _on_error(self, error: BaseException) -> None:
        message = describe_startup_error(error, database_url=self._database_url, map_path=self._map_path)
        if isinstance(error, DatabaseError | MapDataError):
            log.error("start-up failed: %s", message.detail)
        else:
            log.error("start-up failed: %s", message.detail, exc_info=error)
        self.failed.emit(message, error)
