"""Fixtures for console tests: a real Console on a temporary SQLite database with a small demo
city, shut down cleanly after each test (no thread, window or timer left behind)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from console.cli import parse_options

SMALL_CITY = 40


@pytest.fixture(scope="session")
def compiled_translations() -> None:
    """The .qm files, as scripts/setup.sh builds them."""
    from console.i18n_build import build

    build()


@pytest.fixture
def make_console(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled_translations
) -> Iterator[Callable]:
    from console.app import Console

    monkeypatch.delenv("SAFECAMPUS_SETTINGS_DIR", raising=False)
    monkeypatch.delenv("SAFECAMPUS_DATABASE_URL", raising=False)
    consoles: list[Console] = []

    def make(*args: str, data_dir: Path | None = None, **overrides: object) -> Console:
        folder = data_dir or tmp_path / "data"
        options = parse_options(
            [
                *("--demo", "--demo-schools", str(SMALL_CITY), "--language", "en"),
                *("--no-dialogs", "--no-fleet", "--no-streams", *args),
            ]
        )
        options = replace(options, **overrides)  # type: ignore[arg-type]
        console = Console(qapp, options, folder)
        consoles.append(console)
        return console

    yield make
    for console in consoles:
        console.shutdown()
        console.translations.set_language("en")
        console.window.deleteLater()
    qapp.processEvents()


@pytest.fixture
def running_console(make_console, qtbot):
    """A console that has reached 'interactive' on a small demo city."""
    console = make_console()
    with qtbot.waitSignal(console.interactive, timeout=60_000):
        console.start()
    return console
