"""The console's composition root: options, logging, theme, translations, window and workers.

`main(argv)` is the program (pyproject's `safecampus` entry point and main.py). `Console` wires
one running console together so tests can build it on a QApplication they own.

Exit codes: 0 normal end, 1 start-up failed (database or map data unusable), 2 bad command line
or unusable data folder.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from console.access.audit_page import AuditPage
from console.access.operators_page import OperatorsPage
from console.alarms.alarm_center import AlarmCenter
from console.alarms.alarm_settings import AlarmSettingsDialog
from console.alarms.alarm_types import AlarmTypeBook, load_type_book
from console.alarms.incidents_page import IncidentsPage
from console.app_logging import UnexpectedErrorHook, setup_logging
from console.broadcast.broadcast_page import BroadcastPage
from console.cli import NO_DIALOGS_ENV, Options, UsageError, parse_options
from console.db_bridge import DatabaseBridge
from console.hub.network import SchoolNetwork
from console.i18n import DEFAULT_LANGUAGE, Translations
from console.import_dialog import ImportController
from console.login_flow import LoginFlow
from console.main_window import MainWindow
from console.pages.agents_page import AgentsPage
from console.pages.map_page import MapPage
from console.pages.wall_page import WallPage
from console.settings import ConsoleSettings, resolve_data_dir, resolve_database_url, settings_path
from console.startup import CityData, StartupResult, StartupSequence, UserMessage, load_city
from console.theme import apply_theme
from console.video.demo_streams import DemoStreams
from console.video.pool import PlayerPool

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_STARTUP_FAILED = 1
EXIT_USAGE = 2
INTERACTIVE_MARKER = "SAFECAMPUS_INTERACTIVE"
MAP_PAGE = "map"
AGENTS_PAGE = "agents"
WALL_PAGE = "wall"
OPERATORS_PAGE = "operators"
INCIDENTS_PAGE = "incidents"
BROADCAST_PAGE = "broadcast"
ALARM_DOCK_WIDTH = 540
AUDIT_PAGE = "audit"
# Pages only some roles see (the hub refuses their requests to everyone else anyway).
PAGE_PERMISSIONS = {
    AGENTS_PAGE: "manage_agents",
    OPERATORS_PAGE: "manage_operators",
    AUDIT_PAGE: "read_audit",
}
BROADCAST_PERMISSIONS = ("broadcast_routine", "broadcast_drill", "broadcast_emergency")
# One decoding worker process per core of the reference workstation (docs/video.md).
PLAYER_WORKERS = 2


def process_start_monotonic() -> float | None:
    """When this process started, on the time.monotonic() clock (Linux; None elsewhere).

    Lets the start-up report include the interpreter's own start, before any of our code ran.
    """
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of the file: starttime, in clock ticks since boot
        ticks_per_s = os.sysconf("SC_CLK_TCK")
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / ticks_per_s
    except (OSError, IndexError, ValueError, AttributeError):
        return None
    return time.monotonic() - age


class Console(QObject):
    """One running console. Signals: interactive() once the map is populated and the event loop
    answers; startupFailed(UserMessage) when the database or the map data cannot be used;
    screenshotSaved(bool) after a --screenshot was taken (delayed by --screenshot-delay)."""

    interactive = Signal()
    startupFailed = Signal(object)
    screenshotSaved = Signal(bool)

    def __init__(
        self,
        app: QApplication,
        options: Options,
        data_dir: Path,
        *,
        started_at: float | None = None,
        hub_overrides: dict[str, object] | None = None,
    ) -> None:
        super().__init__()
        self._app = app
        self.options = options
        self.data_dir = data_dir
        self._times: dict[str, float] = {"main": started_at if started_at is not None else time.monotonic()}
        self.database_url = resolve_database_url(options.database_url, data_dir)
        self.settings = ConsoleSettings(settings_path(data_dir))
        if options.reset_layout:
            self.settings.reset_layout()

        apply_theme(app)
        self.translations = Translations(app)
        language = options.language or self.settings.language() or DEFAULT_LANGUAGE
        self.translations.set_language(language)

        self.bridge = DatabaseBridge(self)
        self.window = MainWindow(self.settings, self.translations.language)
        self.map_page = MapPage(self.bridge, self.window)
        self.window.add_page(
            MAP_PAGE, self.map_page, lambda: QCoreApplication.translate("MainWindow", "City map")
        )
        # The wall's player workers start only when the page is first shown.
        self.wall_page = WallPage(
            self.bridge,
            data_dir,
            pool_factory=lambda: PlayerPool(workers=PLAYER_WORKERS),
            operator=options.operator,
            parent=self.window,
        )
        self.window.add_page(
            WALL_PAGE, self.wall_page, lambda: QCoreApplication.translate("MainWindow", "Video wall")
        )
        self.demo_streams: DemoStreams | None = (
            DemoStreams(self.database_url, data_dir) if options.demo and not options.no_streams else None
        )
        self.network = SchoolNetwork(options, data_dir, self.database_url, self, hub_overrides)
        self.map_page.set_hub(self.network.bridge)
        self.agents_page = AgentsPage(self.network.bridge, self.window)
        self.window.add_page(AGENTS_PAGE, self.agents_page, self._agents_title)
        self.agents_page.pendingCountChanged.connect(lambda _n: self.window.refresh_page_titles())
        self.operators_page = OperatorsPage(self.network.bridge, self.window)
        self.window.add_page(
            OPERATORS_PAGE, self.operators_page, lambda: QCoreApplication.translate("MainWindow", "Operators")
        )
        self.audit_page = AuditPage(self.network.bridge, self.window)
        self.window.add_page(
            AUDIT_PAGE, self.audit_page, lambda: QCoreApplication.translate("MainWindow", "Audit record")
        )
        self.login = LoginFlow(self.network.bridge, self.bridge, self.window, options, self)
        self._build_alarms(data_dir)
        self.broadcast_page = BroadcastPage(
            self.network.bridge, self.bridge, self.login.operator, data_dir, parent=self.window
        )
        self.window.add_page(
            BROADCAST_PAGE, self.broadcast_page, lambda: QCoreApplication.translate("MainWindow", "Broadcast")
        )
        # A selection drawn on the map is a broadcast target: the page adds it on request, and
        # the map's "Broadcast to selection" opens the page with it.
        self.broadcast_page.set_map_selection(self.map_page.selected_codes)
        self.map_page.selection_bar.broadcastRequested.connect(self._broadcast_to_schools)
        self.login.operatorChanged.connect(self._on_operator_changed)
        self.window.lockRequested.connect(self.login.lock)
        self.window.logoutRequested.connect(self.login.log_out)
        self._on_operator_changed("")
        self.network.stateChanged.connect(self.window.status.set_hub_state)
        self.network.fleetFailed.connect(lambda text: self.window.status.showMessage(text))
        self.network.bridge.snapshot.connect(self._check_all_online)
        self.network.bridge.presenceChanged.connect(self._check_all_online)
        self.window.restore_layout()
        if options.start_page is not None:
            self.window.show_page(options.start_page)
        self.imports = ImportController(self.bridge, self.window, show_dialogs=not options.no_dialogs)

        self.window.languageRequested.connect(self.switch_language)
        self.window.importRequested.connect(self.imports.start)
        self.window.resetLayoutRequested.connect(self.window.reset_layout)
        self.imports.imported.connect(lambda _result: self.reload_city())
        self.window.set_import_enabled(False)
        self._startup: StartupSequence | None = None
        self._backend = ""
        self.is_interactive = False
        self.exit_code = EXIT_OK
        self.all_online_after_s: float | None = None
        self._screenshot_timer = QTimer(self)
        self._screenshot_timer.setObjectName("screenshotTimer")
        self._screenshot_timer.setSingleShot(True)
        self._screenshot_timer.timeout.connect(self._take_screenshot)

    def _build_alarms(self, data_dir: Path) -> None:
        """The alarm queue (right dock, always visible), incident history, sounds, map and wall links."""
        hub = self.network.bridge
        self.alarms = AlarmCenter(
            hub, self.login.operator, data_dir, settings_path(data_dir), parent=self.window
        )
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.alarms.dock)
        # A third of the default window: the map and the wall keep the most room.
        self.window.resizeDocks([self.alarms.dock], [ALARM_DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.alarms.attach_map(self.map_page)
        self.alarms.attach_wall(self.wall_page, lambda: PlayerPool(workers=PLAYER_WORKERS))
        self.alarms.wallPageWanted.connect(lambda: self.window.show_page(WALL_PAGE))
        self.alarms.statusMessage.connect(lambda text: self.window.status.showMessage(text, 10_000))
        self.incidents_page = IncidentsPage(hub, self.alarms.types, parent=self.window)
        self.incidents_page.reportRequested.connect(self.alarms.write_report)
        self.window.add_page(
            INCIDENTS_PAGE, self.incidents_page, lambda: QCoreApplication.translate("MainWindow", "Incidents")
        )
        self.window.alarm_settings_action.triggered.connect(
            lambda: AlarmSettingsDialog(self.alarms.settings, self.window).exec()
        )

    def _on_alarm_types(self, types: AlarmTypeBook) -> None:
        self.alarms.set_types(types)
        self.incidents_page.model.set_types(types)

    def _on_operator_changed(self, text: str) -> None:
        """Show the operator in the status bar and only the pages their role may use."""
        self.window.status.set_operator(text)
        operator = self.login.operator
        for key, permission in PAGE_PERMISSIONS.items():
            self.window.set_page_allowed(key, operator.may(permission))
        scope = operator.district_code if operator.role == "district_viewer" else None
        self.map_page.set_scope(scope)
        self.wall_page.set_scope(scope)
        self.window.lock_action.setEnabled(operator.is_logged_in)
        self.window.logout_action.setEnabled(operator.is_logged_in)
        self.incidents_page.set_operator(operator.username, operator.may("handle_alarms"))
        self.broadcast_page.set_operator()
        may_broadcast = any(operator.may(p) for p in BROADCAST_PERMISSIONS)
        self.window.set_page_allowed(BROADCAST_PAGE, may_broadcast)
        self.map_page.selection_bar.set_broadcast_allowed(may_broadcast)
        if operator.may("manage_operators"):
            self.operators_page.refresh()

    def _broadcast_to_schools(self, codes: list[str]) -> None:
        self.broadcast_page.target.clear()
        added = self.broadcast_page.target.add_schools(codes)
        self.window.show_page(BROADCAST_PAGE)
        text = QCoreApplication.translate("MainWindow", "%1 schools from the map are the broadcast target.")
        self.window.status.showMessage(text.replace("%1", str(added)), 10_000)

    def _agents_title(self) -> str:
        pending = self.agents_page.pending_count()
        if pending:
            text = QCoreApplication.translate("MainWindow", "School agents (%1 pending)")
            return text.replace("%1", str(pending))
        return QCoreApplication.translate("MainWindow", "School agents")

    # --- start and stop ------------------------------------------------------------------------
    def start(self) -> None:
        """Show the window at once, then open the database and load the city off the GUI thread."""
        self.window.show()
        self._times["window_shown"] = time.monotonic()
        self.window.status.show_progress(QCoreApplication.translate("Startup", "Starting…"), 0, 0)
        self._startup = StartupSequence(
            self.bridge,
            database_url=self.database_url,
            demo=self.options.demo,
            demo_schools=self.options.demo_schools,
            map_path=self.options.map_data,
            parent=self,
        )
        self._startup.progress.connect(self.window.status.show_progress)
        self._startup.finished.connect(self._on_started)
        self._startup.failed.connect(self._on_startup_failed)
        self._startup.start()

    def shutdown(self) -> None:
        """Stop the school network and the database worker, close the window (saves the layout)."""
        self._screenshot_timer.stop()
        try:
            self.login.shutdown()
            self.alarms.shutdown()
            self.broadcast_page.shutdown()
            self.audit_page.shutdown()
            self.wall_page.shutdown()
        finally:
            # Whatever a page did, the threads and processes below must stop: a hub link thread
            # left running would abort the interpreter at exit.
            if self.demo_streams is not None:
                self.demo_streams.stop()
            self.network.shutdown()
            self.bridge.shutdown()
            self.window.status.clearMessage()  # stops the timer of a timed status message
            if self.window.isVisible():
                self.window.close()

    # --- start-up results ------------------------------------------------------------------------
    def _on_started(self, result: StartupResult) -> None:
        self._times["data_loaded"] = time.monotonic()
        self._backend = result.backend
        self.map_page.set_boundaries(result.boundaries)
        self._apply_city(result.city)
        if self.demo_streams is not None:
            self.demo_streams.start()
        self.window.status.hide_progress()
        self.window.set_import_enabled(True)
        self.bridge.submit(lambda _ctx: load_type_book(), on_done=self._on_alarm_types)
        self.alarms.start()
        self.network.start(result.city.totals.schools)
        self.login.start(result.operators)
        # Interactive means the event loop has come round again after the map was filled.
        QTimer.singleShot(0, self._on_interactive)

    def _apply_city(self, city: CityData) -> None:
        self.operators_page.set_districts(city.districts)
        self.alarms.set_schools(city.schools)
        self.broadcast_page.set_city(city.districts, city.schools)
        self.incidents_page.set_school_names({s.code: s.name for s in city.schools})
        self.map_page.set_city(city)
        self.agents_page.set_schools(city.schools)
        self.wall_page.load_catalog()
        self.window.status.set_database(self._backend, city.totals.schools, city.totals.cameras)

    def reload_city(self) -> None:
        if self.bridge.is_closed:
            return
        self.bridge.submit(load_city, on_done=self._apply_city, on_error=self._on_reload_failed)

    def _on_reload_failed(self, error: BaseException) -> None:
        log.error("reloading the schools failed: %s", error, exc_info=error)
        self.window.statusBar().showMessage(
            QCoreApplication.translate("Startup", "Reloading the schools failed: {0}").format(error), 10_000
        )

    def _on_interactive(self) -> None:
        # Paint the populated window once, synchronously, so 'interactive' includes the first paint.
        self.window.repaint()
        self._times["interactive"] = time.monotonic()
        self.is_interactive = True
        log.info(
            "interactive %.2f s after start (%d schools)",
            self._times["interactive"] - self._times["main"],
            self.map_page.school_count(),
        )
        if self.options.startup_report:
            self._print_startup_report()
        if self.options.screenshot is not None:
            self._screenshot_timer.start(int(self.options.screenshot_delay * 1000))
        self.interactive.emit()

    def _take_screenshot(self) -> None:
        assert self.options.screenshot is not None
        self.screenshotSaved.emit(self.save_screenshot(self.options.screenshot))

    def _check_all_online(self, *_args: object) -> None:
        """Log once how long it took until every school of the city showed online."""
        if self.all_online_after_s is not None:
            return
        schools = self.map_page.school_count()
        online = self.map_page.online_count()
        if schools and online >= schools:
            self.all_online_after_s = time.monotonic() - self._times["main"]
            log.info("all %d schools online %.1f s after start", schools, self.all_online_after_s)

    def _print_startup_report(self) -> None:
        report: dict[str, object] = {f"t_{k}": round(v, 6) for k, v in self._times.items()}
        process_start = process_start_monotonic()
        report["t_process_start"] = round(process_start, 6) if process_start is not None else None
        report["schools_on_map"] = self.map_page.school_count()
        report["backend"] = self._backend
        print(f"{INTERACTIVE_MARKER} {json.dumps(report)}", flush=True)

    def save_screenshot(self, path: Path) -> bool:
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = self.window.grab().save(str(path))
        if ok:
            log.info("screenshot saved: %s", path)
        else:
            log.error("could not save the screenshot %s", path)
        return ok

    def _on_startup_failed(self, message: UserMessage, _error: BaseException) -> None:
        self.window.status.hide_progress()
        self.exit_code = EXIT_STARTUP_FAILED
        print(f"safecampus: {message.title}\n{message.text}", file=sys.stderr, flush=True)
        self.startupFailed.emit(message)
        if not self.options.no_dialogs:
            QMessageBox.critical(self.window, message.title, message.text)

    # --- language ------------------------------------------------------------------------------
    def switch_language(self, language: str) -> None:
        """Switch the interface language live and remember the choice."""
        found = self.translations.set_language(language)
        self.settings.set_language(language)
        self.window.set_language_checked(self.translations.language)
        if not found:
            self.window.statusBar().showMessage(
                QCoreApplication.translate(
                    "Console",
                    "Translation not installed (run scripts/setup.sh): the interface stays in English.",
                ),
                10_000,
            )


def _show_error_dialog(title: str, text: str) -> None:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "safecampus"])
    assert isinstance(app, QApplication)
    QMessageBox.critical(None, title, text)


def _dialogs_wanted(argv: list[str]) -> bool:
    # Before the command line is parsed we can only look for the flag itself.
    if "--no-dialogs" in argv or os.environ.get(NO_DIALOGS_ENV, "") not in ("", "0"):
        return False
    # A usage error typed in a terminal is read there; a launcher has no terminal to read.
    return not sys.stderr.isatty()


def quit_on_termination_signals(app: QApplication) -> QSocketNotifier:
    """Turn SIGTERM and SIGINT (Ctrl-C) into a normal quit, so the shutdown path runs and stops the
    embedded hub, the demo fleet and the stream simulator instead of leaving them orphaned.

    Python runs signal handlers only when the interpreter gets control, which a waiting Qt event
    loop never gives it; the wake-up fd wakes the loop through a socket notifier instead of a
    polling timer. Keep the returned notifier alive for as long as the loop runs.
    """
    receiver, sender = socket.socketpair()
    receiver.setblocking(False)
    sender.setblocking(False)
    signal.set_wakeup_fd(sender.fileno())
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: None)  # the wake-up fd does the work
    notifier = QSocketNotifier(receiver.fileno(), QSocketNotifier.Type.Read, app)

    def on_signal() -> None:
        try:
            received = receiver.recv(64)
        except BlockingIOError:
            return
        if received:
            log.info("termination signal %s received: shutting down", ", ".join(str(b) for b in received))
            app.quit()

    notifier.activated.connect(on_signal)
    notifier.sockets = (receiver, sender)  # type: ignore[attr-defined]  # alive with the notifier
    return notifier


def main(argv: list[str] | None = None, *, started_at: float | None = None) -> int:
    started_at = started_at if started_at is not None else time.monotonic()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        options = parse_options(args)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except UsageError as exc:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        log.error("bad command line: %s", str(exc).splitlines()[0])
        print(f"safecampus: error: {exc}", file=sys.stderr)
        if _dialogs_wanted(args):
            # No translator is loaded yet (the language is an option): this shows in English.
            _show_error_dialog(
                "SafeCampus", QCoreApplication.translate("Console", "Bad command line:\n\n{0}").format(exc)
            )
        return EXIT_USAGE
    try:
        data_dir = resolve_data_dir(options.data_dir)
    except OSError as exc:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        log.error("cannot use the data folder: %s", exc)
        print(f"safecampus: error: cannot use the data folder: {exc}", file=sys.stderr)
        if not options.no_dialogs:
            _show_error_dialog(
                "SafeCampus",
                QCoreApplication.translate("Console", "Cannot use the data folder:\n\n{0}").format(exc),
            )
        return EXIT_USAGE
    log_file = setup_logging(data_dir)
    log.info("SafeCampus console starting (data folder %s, log %s)", data_dir, log_file)

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "safecampus"])
    assert isinstance(app, QApplication)
    app.setApplicationName("SafeCampus")
    app.setOrganizationName("SafeCampus")

    def report_unexpected(summary: str, _details: str) -> None:
        QMessageBox.critical(
            app.activeWindow(),
            QCoreApplication.translate("Console", "Unexpected error"),
            QCoreApplication.translate(
                "Console",
                "An unexpected error occurred; the console keeps running.\n\n{summary}\n\n"
                "The details are in the log file:\n{log}",
            ).format(summary=summary, log=str(log_file or "stderr")),
        )

    hook = UnexpectedErrorHook(None if options.no_dialogs else report_unexpected)
    hook.install()
    console = Console(app, options, data_dir, started_at=started_at)
    # Ending the event loop is main()'s business: QCoreApplication.exit() outside exec() would
    # make every later event loop return at once.
    console.startupFailed.connect(lambda _message: app.exit(EXIT_STARTUP_FAILED))
    if options.exit_after_interactive and options.screenshot is not None:
        console.screenshotSaved.connect(lambda _ok: app.exit(EXIT_OK))
    elif options.exit_after_interactive:
        console.interactive.connect(lambda: app.exit(EXIT_OK))
    termination = quit_on_termination_signals(app)
    try:
        console.start()
        code = app.exec()
    finally:
        console.shutdown()
        hook.uninstall()
        termination.setEnabled(False)
    code = console.exit_code if console.exit_code != EXIT_OK else code
    log.info("SafeCampus console stopped (exit code %d)", code)
    return code
