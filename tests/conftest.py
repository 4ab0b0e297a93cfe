"""The strict test setup every test runs under.

- Any Python warning is an error (pyproject: filterwarnings = error).
- A Qt warning fails the test (pytest-qt: qt_log_level_fail = WARNING).
- A warning-level (or worse) log line fails the test unless the test declares it with
  ``@pytest.mark.expect_log(r"regex")``; tests that expect a log line should assert it too.
- A thread started by the test and still alive afterwards fails it; so does a visible window or an
  active QTimer left behind by a GUI test.
- Tests in tests/services and tests/hardware must pass without PySide6 installed: the core
  environment (.venv-core) runs them to prove the layering.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
import time
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the user's real settings and data out of tests.
os.environ.setdefault("SAFECAMPUS_TESTING", "1")

HAVE_QT = importlib.util.find_spec("PySide6") is not None
HAVE_PYTESTQT = importlib.util.find_spec("pytestqt") is not None

# Threads we do not own and that may legitimately outlive a test.
_FOREIGN_THREAD_PREFIXES = ("pydevd", "ThreadPoolExecutor-0", "QDBusConnection")


def pytest_addoption(parser: pytest.Parser) -> None:
    if not HAVE_PYTESTQT:
        # The core environment has no pytest-qt; keep --strict-config happy about its ini keys.
        for key in ("qt_api", "qt_log_level_fail", "qt_log_ignore", "qt_default_raising"):
            parser.addini(key, "pytest-qt option (unused without PySide6)", type="linelist")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "expect_log(*patterns): warning-level log lines matching these regexes are expected"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_QT:
        return
    skip = pytest.mark.skip(reason="PySide6 is not installed in this environment")
    for item in items:
        if "gui" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 at production cost takes tens of milliseconds per hash; the suite hashes thousands.
    Tests that check the production parameters set them themselves."""
    from argon2.profiles import CHEAPEST

    from services.access import passwords

    passwords.use_parameters(CHEAPEST)
    yield


@pytest.fixture(autouse=True)
def _fail_on_unexpected_warning_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    caplog.set_level(logging.INFO)
    yield
    patterns = [
        re.compile(p) for marker in request.node.iter_markers("expect_log") for p in marker.args
    ]
    unexpected = [
        record
        for when in ("setup", "call", "teardown")
        for record in caplog.get_records(when)  # type: ignore[arg-type]
        if record.levelno >= logging.WARNING
        and not any(p.search(record.getMessage()) for p in patterns)
    ]
    if unexpected:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in unexpected)
        pytest.fail(f"unexpected warning-level log lines:\n{lines}", pytrace=False)


@pytest.fixture(autouse=True)
def _fail_on_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        leaked = [
            t
            for t in threading.enumerate()
            if t not in before
            and t.is_alive()
            and not t.name.startswith(_FOREIGN_THREAD_PREFIXES)
            # Qt's audio backend threads become Python "dummy" threads when they log through the
            # console's Qt message handler; they belong to Qt for the life of the process.
            # The console's own QThreads are checked by their registry (console.worker_threads).
            and not (isinstance(t, threading._DummyThread) and t.name.startswith("Dummy-"))
        ]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if leaked:
        pytest.fail(f"threads leaked by the test: {[t.name for t in leaked]}", pytrace=False)


def _timer_name(timer: object) -> str:
    """A timer's name, or its owners' class and object names when it has none."""
    name = timer.objectName()  # type: ignore[attr-defined]
    if name:
        return str(name)
    owners = []
    parent = timer.parent()  # type: ignore[attr-defined]
    while parent is not None and len(owners) < 4:
        owners.append(f"{type(parent).__name__}({parent.objectName()})")
        parent = parent.parent()
    return "unnamed timer of " + " < ".join(owners)


if HAVE_QT:

    @pytest.fixture(autouse=True)
    def _fail_on_leaked_qt_objects(request: pytest.FixtureRequest) -> Iterator[None]:
        yield
        if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
            return
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is None:
            return
        app.processEvents()
        windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        owners = [app, *QApplication.topLevelWidgets()]
        timers = [
            t
            for owner in owners
            for t in owner.findChildren(QTimer)
            if t.isActive()
        ]
        for w in windows:
            w.close()
        for t in timers:
            t.stop()
        problems = []
        if windows:
            problems.append(f"visible windows left open: {[type(w).__name__ for w in windows]}")
        if timers:
            problems.append(f"active timers left running: {[_timer_name(t) for t in timers]}")
        from console.worker_threads import running_threads

        deadline = time.monotonic() + 3.0
        while (qthreads := running_threads()) and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        if qthreads:
            problems.append(f"console QThreads left running: {qthreads}")
        if problems:
            pytest.fail("; ".join(problems), pytrace=False)


# --- databases -------------------------------------------------------------------------------
# Tests that take `database_url` (or `engine`) run once against SQLite in a temporary folder and
# once against a fresh database on the PostgreSQL server named by SAFECAMPUS_TEST_PG_URL
# (scripts/test.sh starts a throwaway one). Without a server the PostgreSQL half is skipped,
# unless SAFECAMPUS_REQUIRE_PG is set, which turns that skip into a failure.


def _postgres_url_or_skip() -> str:
    url = os.environ.get("SAFECAMPUS_TEST_PG_URL", "")
    if not url:
        if os.environ.get("SAFECAMPUS_REQUIRE_PG"):
            pytest.fail("SAFECAMPUS_REQUIRE_PG is set but SAFECAMPUS_TEST_PG_URL is not", pytrace=False)
        pytest.skip("no PostgreSQL server: set SAFECAMPUS_TEST_PG_URL")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{os.path.join(tmp_path, 'safecampus-test.db')}"
        return
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server_url = make_url(_postgres_url_or_skip())
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[object]:
    """An engine on a freshly migrated database (SQLite and PostgreSQL)."""
    from services.db.engine import open_database

    eng = open_database(database_url)
    try:
        yield eng
    finally:
        eng.dispose()
