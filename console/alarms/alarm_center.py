"""The console's alarm feature wired together: queue, incident panel, sounds, map, wall, reports.

    center = AlarmCenter(hub_bridge, operator, data_dir, settings_path, parent=window)
    window.addDockWidget(Qt.RightDockWidgetArea, center.dock)
    center.attach_map(map_page)            # flashing schools, fly to the incident's school
    center.attach_wall(wall_page, pool_factory)   # "Open cameras"
    center.set_schools(city.schools)       # names in the queue, school ids for map and wall
    center.start()                         # the sound check (after the window is shown)
    ...
    center.shutdown()

The hub owns the incidents: the model follows the bridge's incidentsChanged; the operator's work
goes out as requests from the incident panel. New incidents ring (per type), unacknowledged
priority-1 incidents ring again every 15 s, their schools flash on the map until acknowledged,
and a transfer offered to this operator asks them to accept or decline.

Signals: statusMessage(str) for the status bar; wallPageWanted() to show the wall page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMessageBox, QSplitter, QWidget

from console.access.current_operator import CurrentOperator
from console.access.hub_requests import hub_error_text
from console.alarms.alarm_settings import AlarmSettings
from console.alarms.alarm_types import AlarmTypeBook
from console.alarms.incident_cameras import IncidentCameras
from console.alarms.incident_data import Incident, IncidentDataError, timeline_from_wire
from console.alarms.incident_feed import IncidentFeed
from console.alarms.incident_model import IncidentModel
from console.alarms.incident_panel import IncidentPanel
from console.alarms.queue_panel import AlarmQueuePanel
from console.alarms.report import ReportWriter
from console.alarms.sounds import AlarmSounds
from console.hub.bridge import HubBridge, HubReply
from console.pages.map_page import MapPage
from console.pages.wall_page import WallPage
from console.pages.wall_playback import PoolFactory
from services.db.records import SchoolSummary

log = logging.getLogger(__name__)

ALARM_DOCK_MIN_WIDTH = 540

PERMISSION = "handle_alarms"
REPORT_FOLDER = "reports"
SOUND_FOLDER = "alarm_sounds"


class AlarmCenter(QObject):
    statusMessage = Signal(str)
    wallPageWanted = Signal()

    def __init__(
        self,
        hub: HubBridge,
        operator: CurrentOperator,
        data_dir: Path,
        settings_path: Path,
        types: AlarmTypeBook | None = None,
        sounds: AlarmSounds | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._closed = False
        self._hub = hub
        self._operator = operator
        self._data_dir = data_dir
        self.settings = AlarmSettings(settings_path)
        self.types = types or AlarmTypeBook()
        self.model = IncidentModel(self.types, parent=self)
        self.queue = AlarmQueuePanel(self.model)
        self.panel = IncidentPanel(hub, self.types, self.model.school_name)
        self.sounds = sounds or AlarmSounds(data_dir / SOUND_FOLDER, parent=self)
        self.reports = ReportWriter(self)
        self.cameras: IncidentCameras | None = None
        self._side_panels: list[IncidentPanel] = []
        self._map: MapPage | None = None
        self._school_ids: dict[str, int] = {}
        self._seen: set[str] = set()
        self._prompted: set[tuple[str, int]] = set()
        self._prompt: QMessageBox | None = None
        self._report_pending: set[str] = set()

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("alarmSplitter")
        self.splitter.addWidget(self.queue)
        self.splitter.addWidget(self.panel)
        self.splitter.setSizes([380, 560])
        self.dock = QDockWidget(parent)
        self.dock.setObjectName("alarmDock")  # saveState() needs the name
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)  # always visible
        self.dock.setWidget(self.splitter)
        # Every queue column readable, while the map, the wall and the broadcast page keep most
        # of the window (the operator can widen the dock; the layout is remembered).
        self.dock.setMinimumWidth(ALARM_DOCK_MIN_WIDTH)

        self.feed = IncidentFeed(self.apply_incidents, self)
        hub.incidentsChanged.connect(self.feed.push)
        hub.alarmRateChanged.connect(self.model.set_alarm_rate)
        operator.changed.connect(self._on_operator_changed)
        self.queue.incidentSelected.connect(self.select_incident)
        self.queue.incidentActivated.connect(self.go_to_incident)
        self.queue.muteToggled.connect(self._on_mute)
        self.panel.reportRequested.connect(self.write_report)
        self.panel.openCamerasRequested.connect(self.open_cameras)
        self.panel.showOnMapRequested.connect(self.show_school_on_map)
        self.reports.written.connect(
            lambda path: self.statusMessage.emit(self.tr("Incident report saved: %1").replace("%1", path))
        )
        self.reports.failed.connect(
            lambda path, error: self.statusMessage.emit(
                self.tr("The incident report was not saved: %1").replace("%1", error)
            )
        )
        self.queue.set_muted(self.settings.muted())
        self.retranslate_ui()
        self._on_operator_changed()

    # --- wiring --------------------------------------------------------------------------------
    def attach_map(self, map_page: MapPage) -> None:
        self._map = map_page
        self._update_flashing()

    def attach_wall(self, wall_page: WallPage, pool_factory: PoolFactory) -> None:
        def side_panel() -> QWidget:
            panel = IncidentPanel(self._hub, self.types, self.model.school_name)
            panel.set_operator(self._operator.username, self._operator.may(PERMISSION))
            self._side_panels.append(panel)
            current = (
                self.model.incident(self.panel.incident().incident_id) if self.panel.incident() else None
            )
            panel.show_incident(current)
            return panel

        self.cameras = IncidentCameras(wall_page, pool_factory, side_panel, self.settings.wall_screen, self)
        self.cameras.wallPageWanted.connect(self.wallPageWanted)

    def set_schools(self, schools: Iterable[SchoolSummary]) -> None:
        schools = list(schools)
        self.model.set_school_names({s.code: s.name for s in schools})
        self._school_ids = {s.code: s.id for s in schools}
        self._update_flashing()

    def set_types(self, types: AlarmTypeBook) -> None:
        """The alarm type catalogue (load_type_book, read on a worker) replacing the built-in styles."""
        self.types = types
        self.model.set_types(types)
        self.panel.set_types(types)
        for panel in self._side_panels:
            panel.set_types(types)

    def start(self) -> None:
        self.sounds.start()

    def shutdown(self) -> None:
        self._closed = True  # a last batch from the hub link must not start the feed again
        self.feed.close()
        self.sounds.shutdown()
        self.reports.wait()
        if self.cameras is not None:
            self.cameras.shutdown()
        if self._prompt is not None:
            self._prompt.close()

    # --- incidents from the hub ------------------------------------------------------------------
    def apply_incidents(self, incidents: list[Any], complete: bool = False) -> None:
        if self._closed:
            return
        changed = self.model.apply(incidents, complete)
        new = [i for i in changed if i.incident_id not in self._seen and not i.is_resolved]
        self._seen.update(i.incident_id for i in changed)
        if new:
            self._on_new(new)
        shown = self.panel.incident()
        if shown is not None:
            current = self.model.incident(shown.incident_id)
            if current is not None and current is not shown:
                self._show(current)
        elif new and not self.queue.selected_incident_id():
            self.queue.select_incident(min(new, key=Incident.sort_key).incident_id)
        for incident in changed:
            self._maybe_prompt_transfer(incident)
        self._update_repeat()
        self._update_flashing()
        if self.cameras is not None:
            self.cameras.set_alarm_schools({i.school for i in self.model.incidents() if not i.is_resolved})

    def _on_new(self, new: list[Incident]) -> None:
        first = min(new, key=Incident.sort_key)
        self.sounds.play(self.types.style(first.alarm_type).sound)
        if first.priority == 1 and self.settings.auto_open_cameras() and self.cameras is not None:
            self.open_cameras(first.incident_id)

    def _update_repeat(self) -> None:
        waiting = [i for i in self.model.incidents() if i.is_open and i.priority == 1]
        sound = self.types.style(min(waiting, key=Incident.sort_key).alarm_type).sound if waiting else ""
        self.sounds.set_repeating(sound)

    def flashing_schools(self) -> set[str]:
        """Schools with an incident nobody has acknowledged yet."""
        return {i.school for i in self.model.incidents() if i.is_open}

    def _update_flashing(self) -> None:
        if self._map is None:
            return
        ids = [self._school_ids[c] for c in self.flashing_schools() if c in self._school_ids]
        self._map.map.set_flashing(ids)
        # Every unresolved incident keeps its school red on the map (flashing until acknowledged).
        self._map.set_alarmed({i.school for i in self.model.incidents() if not i.is_resolved})

    # --- selection and navigation ----------------------------------------------------------------
    def select_incident(self, incident_id: str) -> None:
        incident = self.model.incident(incident_id)
        if incident is not None:
            self._show(incident)

    def _show(self, incident: Incident) -> None:
        self.panel.show_incident(incident)
        for panel in self._side_panels:
            try:
                panel.show_incident(incident)
            except RuntimeError:
                continue  # the incident wall window was closed

    def go_to_incident(self, incident_id: str) -> None:
        """Show the incident and fly the map to its school."""
        self.select_incident(incident_id)
        incident = self.model.incident(incident_id)
        if incident is not None:
            self.show_school_on_map(incident.school)

    def show_school_on_map(self, school_code: str) -> None:
        school_id = self._school_ids.get(school_code)
        if self._map is None or school_id is None:
            log.info("incident school %s is not on this console's map", school_code)
            return
        self._map.go_to_school(school_id)

    def open_cameras(self, incident_id: str) -> None:
        incident = self.model.incident(incident_id)
        if incident is None or self.cameras is None:
            return
        self.select_incident(incident_id)
        if self.cameras.open(incident.school) == 0:
            self.statusMessage.emit(
                self.tr("%1 has no cameras in the registry.").replace(
                    "%1", self.model.school_name(incident.school)
                )
            )

    # --- transfers -------------------------------------------------------------------------------
    def _maybe_prompt_transfer(self, incident: Incident) -> None:
        me = self._operator.username
        key = (incident.incident_id, incident.version)
        if not me or incident.transfer_to != me or incident.is_resolved or key in self._prompted:
            return
        if not self._operator.may(PERMISSION):
            return
        self._prompted.add(key)
        if self._prompt is not None:
            self._prompt.close()
        box = QMessageBox(self.dock)
        box.setObjectName("transferPrompt")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Incident transfer"))
        style = self.types.style(incident.alarm_type)
        box.setText(
            self.tr("%1 asks you to take over: %2 at %3.")
            .replace("%1", incident.owner)
            .replace("%2", style.name())
            .replace("%3", self.model.school_name(incident.school))
        )
        accept = box.addButton(self.tr("Accept"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Decline"), QMessageBox.ButtonRole.RejectRole)
        incident_id = incident.incident_id

        def answered(_result: int) -> None:
            action = "incident_accept" if box.clickedButton() is accept else "incident_decline"
            self._hub.request(action, {"incident_id": incident_id}, self._on_transfer_answer)
            self._prompt = None
            box.deleteLater()

        box.finished.connect(answered)
        self._prompt = box
        box.open()
        self.select_incident(incident_id)

    def _on_transfer_answer(self, reply: HubReply) -> None:
        if not reply.ok:
            self.statusMessage.emit(hub_error_text(reply.error_code, reply.error))

    @property
    def transfer_prompt(self) -> QMessageBox | None:
        return self._prompt

    # --- reports ---------------------------------------------------------------------------------
    def report_path(self, incident_id: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in incident_id)
        return self._data_dir / REPORT_FOLDER / f"incident-{safe}-{stamp}.pdf"

    def write_report(self, incident_id: str) -> None:
        """Fetch the full timeline, then write the PDF off the GUI thread."""
        if incident_id in self._report_pending:
            return
        self._report_pending.add(incident_id)
        self._hub.request(
            "incident_timeline",
            {"incident_id": incident_id},
            lambda r: self._on_report_timeline(incident_id, r),
        )

    def _on_report_timeline(self, incident_id: str, reply: HubReply) -> None:
        self._report_pending.discard(incident_id)
        if not reply.ok:
            self.statusMessage.emit(
                self.tr("The incident report was not saved: %1").replace(
                    "%1", hub_error_text(reply.error_code, reply.error)
                )
            )
            return
        try:
            timeline = timeline_from_wire(reply.result)
        except IncidentDataError as exc:
            log.error("the timeline of %s is unusable for a report: %s", incident_id, exc)
            self.statusMessage.emit(self.tr("The incident report was not saved: %1").replace("%1", str(exc)))
            return
        who = self._operator.name_for_display or self._operator.username
        self.reports.write(
            timeline,
            self.types,
            self.model.school_name(timeline.incident.school),
            who,
            self.report_path(incident_id),
        )

    # --- operator --------------------------------------------------------------------------------
    def _on_operator_changed(self) -> None:
        operator = self._operator
        if not operator.is_logged_in:
            self.model.clear()  # the next operator gets the hub's snapshot for their role
            self._seen.clear()
            self.panel.show_incident(None)
        self.model.set_operator(operator.username)
        self.panel.set_operator(operator.username, operator.may(PERMISSION))

    def _on_mute(self, muted: bool) -> None:
        self.sounds.set_muted(muted)
        self.settings.set_muted(muted)

    def retranslate_ui(self) -> None:
        self.dock.setWindowTitle(self.tr("Alarms and incidents"))
