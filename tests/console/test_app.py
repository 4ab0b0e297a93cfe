"""The console as a whole: start-up, main window, status bar, layout and language."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSize

from tests.console.conftest import SMALL_CITY

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


def test_main_window_opens_with_every_school_on_the_map(running_console):
    window = running_console.window
    assert window.isVisible()
    assert window.page_keys() == ["map", "wall", "agents", "operators", "audit", "incidents", "broadcast"]
    # Nobody is logged in: the administrators' pages stay hidden (the hub would refuse them anyway).
    assert [k for k in window.page_keys() if window.is_page_allowed(k)] == ["map", "wall", "incidents"]
    page = running_console.map_page
    assert page.school_count() == SMALL_CITY
    # Every school starts UNKNOWN until the school network reports; the legend counts them.
    counts = page.map.state_counts()
    assert counts[min(counts)] == SMALL_CITY
    assert sum(counts.values()) == SMALL_CITY
    assert page.map.marker_layer is not None
    assert page.map.marker_layer.drawn_count() == SMALL_CITY
    assert f"{SMALL_CITY} schools" in page.total_label.text()


def test_status_bar_shows_database_hub_and_a_running_clock(running_console, qtbot):
    status = running_console.window.status
    assert "SQLite" in status.database_label.text()
    assert f"{SMALL_CITY} schools" in status.database_label.text()
    assert "not connected" in status.hub_label.text()
    status.set_hub_state(True)
    assert status.hub_label.text() == "Hub: connected"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", status.clock_label.text())
    first = status.clock_label.text()
    qtbot.waitUntil(lambda: status.clock_label.text() != first, timeout=2500)
    assert not status.progress_bar.isVisible()


def test_window_geometry_is_restored_at_the_next_start(make_console, qtbot, tmp_path):
    data_dir = tmp_path / "shared-data"
    first = make_console(data_dir=data_dir, demo=False)
    first.window.show()
    first.window.resize(QSize(700, 500))
    first.map_page.splitter.setSizes([420, 260])
    qtbot.waitUntil(lambda: first.window.size() == QSize(700, 500))
    saved_splitter = first.map_page.splitter.saveState()
    first.shutdown()

    second = make_console(data_dir=data_dir, demo=False)
    assert second.window.size() == QSize(700, 500)
    assert second.map_page.splitter.saveState() == saved_splitter

    third = make_console("--reset-layout", data_dir=data_dir, demo=False)
    assert third.window.size() != QSize(700, 500)


def test_language_switch_retranslates_live_and_is_remembered(make_console, qtbot, tmp_path):
    data_dir = tmp_path / "lang-data"
    console = make_console("--language", "zh_CN", data_dir=data_dir, demo=False)
    window = console.window
    assert window.navigation.item(0).text() == "城市地图"
    assert console.map_page.title_label.text() == "城市地图"
    assert window.file_menu.title() == "文件(&F)"
    console.switch_language("en")
    # Qt posts LanguageChange to every window: the texts change on the next event loop pass.
    qtbot.waitUntil(lambda: window.navigation.item(0).text() == "City map", timeout=2000)
    assert console.map_page.title_label.text() == "City map"
    assert window.status.hub_label.text() == "Hub: not connected"
    assert window.language_actions["en"].isChecked()
    console.shutdown()

    # No --language: the choice made in the menu wins.
    again = make_console(data_dir=data_dir, demo=False, language=None)
    assert again.translations.language == "en"
    assert again.window.navigation.item(0).text() == "City map"
    again.switch_language("zh_CN")
    qtbot.waitUntil(lambda: again.window.status.hub_label.text() == "中心：未连接", timeout=2000)


def test_missing_translation_keeps_english_and_says_so_once(qapp, tmp_path, caplog):
    from console.i18n import Translations

    translations = Translations(qapp, directory=tmp_path)
    try:
        assert translations.set_language("zh_CN") is False
        assert translations.set_language("zh_CN") is False
        assert translations.language == "en"
    finally:
        translations.set_language("en")
    lines = [r for r in caplog.records if "translation" in r.getMessage() and "not found" in r.getMessage()]
    assert len(lines) == 1


test_missing_translation_keeps_english_and_says_so_once = pytest.mark.expect_log(r"translation .* not found")(
    test_missing_translation_keeps_english_and_says_so_once
)


def _run_main(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SAFECAMPUS_NO_DIALOGS="1")
    env.pop("SAFECAMPUS_DATABASE_URL", None)
    env["SAFECAMPUS_SETTINGS_DIR"] = str(tmp_path / "settings")
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path / "data"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_database_url_gives_a_clear_message_and_nonzero_exit(tmp_path):
    result = _run_main("--database", "bogus://x", "--language", "en", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "Cannot open the database" in result.stderr
    assert "bogus" in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_map_file_gives_a_clear_message_and_nonzero_exit(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    result = _run_main("--map-data", str(broken), "--language", "en", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "Cannot load the map" in result.stderr
    assert str(broken) in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_argument_is_reported_without_traceback(tmp_path):
    result = _run_main("--language", "fr", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'fr'" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_options(tmp_path):
    result = _run_main("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    for option in ("--database", "--language", "--demo", "--data-dir", "--reset-layout"):
        assert option in result.stdout


def test_console_starts_on_sqlite_and_postgresql(database_url, make_console, qtbot):
    # database_url first: the console (and its embedded hub) stops before the database is dropped.
    console = make_console(database_url=database_url)
    with qtbot.waitSignal(console.interactive, timeout=60_000):
        console.start()
    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    assert backend in console.window.status.database_label.text()
    assert console.map_page.school_count() == SMALL_CITY


def _processes_mentioning(text: str) -> list[int]:
    """Ids of live processes whose command line contains *text* (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_sigterm_shuts_down_cleanly_and_stops_the_demo_fleet(tmp_path):
    """A console ended by SIGTERM (a service manager, a closed terminal) runs its normal shutdown:
    exit code 0, and the demo fleet it started does not outlive it."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SAFECAMPUS_NO_DIALOGS="1")
    env.pop("SAFECAMPUS_DATABASE_URL", None)
    env["SAFECAMPUS_SETTINGS_DIR"] = str(tmp_path / "settings")
    data_dir = tmp_path / "sigterm-data"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--demo",
         "--demo-schools", str(SMALL_CITY), "--no-streams", "--startup-report"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("SAFECAMPUS_INTERACTIVE"):
                break
        # The fleet simulator is started once the hub is up; wait until it runs.
        deadline = time.monotonic() + 30
        while not _processes_mentioning(f"--folder {data_dir}") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_mentioning(f"--folder {data_dir}"), "the demo fleet never started"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    deadline = time.monotonic() + 15
    while _processes_mentioning(str(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_mentioning(str(data_dir)), "processes outlived the console"
