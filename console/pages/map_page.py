"""The city map page: the school map with filters, search, a legend and the school panel.

The map widget takes plain, widget-local data; this page converts the database records
(district boundaries, school summaries) into it, and loads a clicked school's details through the
database bridge. With the school network attached (`set_hub`), the hub's snapshot sets every
school's presence and its updates change the schools they name, in bulk; the open school's panel
asks the hub for its agent and recent commands (requests, never blocking) and follows their
delivery states live.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QByteArray, QEvent, QLocale, QStringListModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.db_bridge import DatabaseBridge
from console.domain_names import school_type_name
from console.hub.bridge import HubBridge, HubReply
from console.hub.presence_mapping import SchoolIndex, presence_state
from console.pages.map_selection_bar import MapSelectionBar
from console.pages.school_panel import SchoolPanel
from console.startup import CityData
from services.db.models import SchoolType
from services.db.records import SchoolDetail, SchoolSummary
from services.db.repository import get_school_detail
from services.geo.districts import DistrictBoundary
from services.protocol.console_messages import DeliveryUpdate, SchoolPresence, Snapshot
from services.protocol.states import Presence
from services.school_state import SchoolState
from widgets.school_map import MapDistrict, MapSchools, SchoolMapWidget
from widgets.school_map.state_names import state_name

log = logging.getLogger(__name__)

SCHOOL_TYPES: tuple[SchoolType, ...] = tuple(SchoolType)
TYPE_CODES: dict[SchoolType, int] = {kind: code for code, kind in enumerate(SCHOOL_TYPES)}
SEARCH_LIMIT = 30
DEFAULT_SPLIT = (1000, 420)
RECENT_COMMANDS = 20


def interface_is_chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


def completion_text(school: SchoolSummary) -> str:
    return f"{school.name} ({school.code})"


def build_map_districts(boundaries: Sequence[DistrictBoundary], english: bool) -> list[MapDistrict]:
    return [
        MapDistrict(
            adcode=int(b.adcode),
            name=b.name_en if english else b.name,
            polygons=b.polygons,
            label_point=b.label,
        )
        for b in boundaries
    ]


def build_map_schools(schools: Sequence[SchoolSummary], district_index: dict[int, int]) -> MapSchools:
    """Parallel arrays for the map; *district_index* maps a district id to its place on the map."""
    return MapSchools.from_columns(
        ids=[s.id for s in schools],
        lon=[s.longitude for s in schools],
        lat=[s.latitude for s in schools],
        district=[district_index.get(s.district_id, -1) for s in schools],
        type_code=[TYPE_CODES[s.school_type] for s in schools],
        names=[s.name for s in schools],
        students=[s.student_count for s in schools],
        type_names={code: school_type_name(kind) for kind, code in TYPE_CODES.items()},
    )


class CheckMenuButton(QToolButton):
    """A button with a menu of checkable choices; `checked()` is None when all are checked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterButton")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._title = ""
        self._actions: list[tuple[int, QAction]] = []
        self._all_action = QAction(self)
        self._all_action.triggered.connect(self._check_all)
        self.on_change: list[object] = []

    def set_choices(self, choices: Iterable[tuple[int, str]], all_text: str) -> None:
        previous = self.checked()
        self._menu.clear()
        self._all_action.setText(all_text)
        self._menu.addAction(self._all_action)
        self._menu.addSeparator()
        self._actions = []
        for value, text in choices:
            action = QAction(text, self)
            action.setCheckable(True)
            action.setChecked(previous is None or value in previous)
            action.toggled.connect(self._changed)
            self._menu.addAction(action)
            self._actions.append((value, action))
        self._update_text()

    def rename(self, names: dict[int, str], all_text: str) -> None:
        self._all_action.setText(all_text)
        for value, action in self._actions:
            if value in names:
                action.setText(names[value])

    def set_title(self, title: str) -> None:
        self._title = title
        self._update_text()

    def checked(self) -> frozenset[int] | None:
        if not self._actions or all(a.isChecked() for _, a in self._actions):
            return None
        return frozenset(v for v, a in self._actions if a.isChecked())

    def set_checked(self, values: Iterable[int] | None) -> None:
        wanted = None if values is None else set(values)
        for value, action in self._actions:
            action.blockSignals(True)
            action.setChecked(wanted is None or value in wanted)
            action.blockSignals(False)
        self._changed()

    def _check_all(self) -> None:
        self.set_checked(None)

    def _changed(self) -> None:
        self._update_text()
        for callback in self.on_change:
            callback()  # type: ignore[operator]

    def _update_text(self) -> None:
        checked = self.checked()
        count = "" if checked is None else f" ({len(checked)}/{len(self._actions)})"
        self.setText(f"{self._title}{count}")


class MapPage(QWidget):
    """The city map. Implements LayoutAware (the map/panel splitter is remembered)."""

    def __init__(self, bridge: DatabaseBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapPage")
        self._bridge = bridge
        self._boundaries: tuple[DistrictBoundary, ...] = ()
        self._city: CityData | None = None
        self._schools_by_id: dict[int, SchoolSummary] = {}
        self._school_by_completion: dict[str, int] = {}
        self._district_index: dict[int, int] = {}
        self._scope: str | None = None  # a district viewer's district adcode
        self._alarmed: set[int] = set()  # schools with an unresolved incident
        self._detail_request = 0
        self._states: dict[int, SchoolState] = {}
        self._hub: HubBridge | None = None
        self._index = SchoolIndex()
        self._presence: dict[str, SchoolPresence] = {}  # latest per school code, from the hub
        self._panel_code = ""  # code of the school in the panel

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        bar = QFrame(self)
        bar.setObjectName("filterBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(8, 6, 8, 6)
        self.title_label = QLabel(bar)
        self.title_label.setObjectName("pageTitle")
        self.search_edit = QLineEdit(bar)
        self.search_edit.setObjectName("schoolSearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(320)
        self._completion_model = QStringListModel(self)
        self.completer = QCompleter(self._completion_model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setMaxVisibleItems(12)
        self.search_edit.setCompleter(self.completer)
        self.completer.activated[str].connect(self._on_completion)
        self.search_edit.returnPressed.connect(self._on_search_return)
        self.district_filter = CheckMenuButton(bar)
        self.type_filter = CheckMenuButton(bar)
        self.state_filter = CheckMenuButton(bar)
        for button in (self.district_filter, self.type_filter, self.state_filter):
            button.on_change.append(self._apply_filter)
        bar_layout.addWidget(self.title_label)
        bar_layout.addSpacing(16)
        bar_layout.addWidget(self.search_edit, 1)
        bar_layout.addWidget(self.district_filter)
        bar_layout.addWidget(self.type_filter)
        bar_layout.addWidget(self.state_filter)
        layout.addWidget(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.map = SchoolMapWidget(self.splitter)
        self.map.schoolActivated.connect(self.open_school)
        self.panel = SchoolPanel(self.splitter)
        self.panel.hide()
        self.panel.closed.connect(self._forget_panel_school)
        self.splitter.addWidget(self.map)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes(list(DEFAULT_SPLIT))
        layout.addWidget(self.splitter, 1)

        # The state legend with its counts is drawn by the map itself; this bar holds the totals.
        totals_bar = QFrame(self)
        totals_bar.setObjectName("legend")
        totals_layout = QHBoxLayout(totals_bar)
        totals_layout.setContentsMargins(8, 4, 8, 4)
        self.total_label = QLabel(totals_bar)
        self.total_label.setObjectName("cityTotals")
        totals_layout.addWidget(self.total_label)
        totals_layout.addStretch(1)
        # The drawn-selection tools sit under the map, where there is room for their words.
        self.selection_bar = MapSelectionBar(self.map, self._code_of, totals_bar)
        totals_layout.addWidget(self.selection_bar)
        layout.addWidget(totals_bar)

        self.state_filter.set_choices(((int(s), state_name(s)) for s in SchoolState), "")
        self.type_filter.set_choices(((TYPE_CODES[t], school_type_name(t)) for t in SCHOOL_TYPES), "")
        self.retranslate_ui()

    # --- data in -------------------------------------------------------------------------------
    def set_boundaries(self, boundaries: Sequence[DistrictBoundary]) -> None:
        self._boundaries = tuple(boundaries)

    def set_scope(self, adcode: str | None) -> None:
        """Limit the map, search and panels to one district (a district viewer's), or lift it.

        The hub already sends such an operator only their district's live state; this keeps the
        catalogue the console reads from its database to the same district."""
        self._scope = adcode or None
        index = next((i for i, b in enumerate(self._boundaries) if b.adcode == adcode), None)
        if self._scope is not None and index is not None:
            self.district_filter.set_checked([index])
            self.district_filter.setEnabled(False)
        else:
            self.district_filter.setEnabled(True)
            self.district_filter.set_checked(None)
        self._apply_filter()

    def in_scope(self, summary: SchoolSummary) -> bool:
        if self._scope is None:
            return True
        boundary = self._district_index.get(summary.district_id, -1)
        return 0 <= boundary < len(self._boundaries) and self._boundaries[boundary].adcode == self._scope

    def set_city(self, city: CityData) -> None:
        """Show *city*'s schools (first load and every reload after an import)."""
        self._city = city
        adcode_index = {b.adcode: i for i, b in enumerate(self._boundaries)}
        self._district_index = {d.id: adcode_index.get(d.adcode, -1) for d in city.districts}
        self._schools_by_id = {s.id: s for s in city.schools}
        self._index = SchoolIndex(city.schools)
        # A school keeps the state it had; a new one starts UNKNOWN until its agent reports.
        self._states = {sid: self._states.get(sid, SchoolState.UNKNOWN) for sid in self._schools_by_id}
        self._states.update(self._index.batch(self._presence.values()).as_dict())
        self._states.update(dict.fromkeys(self._alarmed & set(self._schools_by_id), SchoolState.ALARM))
        english = not interface_is_chinese()
        self._show_on_map(english, keep_view=False)
        self.district_filter.set_choices(self._district_choices(english), self.tr("All districts"))
        completions = [completion_text(s) for s in city.schools]
        self._school_by_completion = {completion_text(s): s.id for s in city.schools}
        self._completion_model.setStringList(completions)
        self.set_scope(self._scope)  # the choices were rebuilt: a district viewer keeps theirs
        self._update_totals()

    def _show_on_map(self, english: bool, *, keep_view: bool) -> None:
        """Give the map its data in the display language (names are baked into its layers)."""
        if self._city is None:
            return
        view = self.map.view_box.viewRect() if keep_view else None
        self.map.set_city(
            build_map_districts(self._boundaries, english),
            build_map_schools(self._city.schools, self._district_index),
        )
        reported = {sid: int(st) for sid, st in self._states.items() if st != SchoolState.UNKNOWN}
        if reported:
            self.map.apply_states(reported)
            self.map.flush_pending()
        if view is not None:
            self.map.view_box.setRange(view, padding=0)

    def apply_states(self, states: dict[int, SchoolState]) -> None:
        """School states from the school network (unknown ids are ignored)."""
        known = {sid: st for sid, st in states.items() if sid in self._schools_by_id}
        self._states.update(known)
        if known:
            self.map.apply_states({sid: int(st) for sid, st in known.items()})

    def _code_of(self, school_id: int) -> str | None:
        summary = self._schools_by_id.get(school_id)
        return summary.code if summary is not None else None

    def selected_codes(self) -> list[str]:
        """The schools selected by an outline drawn on the map (the Broadcast page's map target)."""
        return self.selection_bar.selected_codes()

    def school_count(self) -> int:
        return len(self._schools_by_id)

    # --- the school network ----------------------------------------------------------------------
    def set_hub(self, hub: HubBridge) -> None:
        """Follow the hub: presence on the map, the open school's agent in the panel."""
        self._hub = hub
        hub.snapshot.connect(self.apply_snapshot)
        hub.presenceChanged.connect(self.apply_presence)
        hub.deliveriesChanged.connect(self._on_deliveries)
        hub.connectionChanged.connect(self._on_hub_connection)

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """The hub's whole picture: schools it does not list have no agent (UNKNOWN)."""
        self._presence = {p.school: p for p in snapshot.presence}
        batch = self._index.batch(snapshot.presence)
        states = dict.fromkeys(self._schools_by_id, SchoolState.UNKNOWN)
        states.update(batch.as_dict())
        states.update(dict.fromkeys(self._alarmed, SchoolState.ALARM))
        self._states = states
        if states:
            self.map.apply_states(list(states), [int(s) for s in states.values()])
        self._refresh_panel_presence()

    def apply_presence(self, entries: list[SchoolPresence]) -> None:
        """Changed presence from a hub update, applied in one batch."""
        for entry in entries:
            self._presence[entry.school] = entry
        batch = self._index.batch(entries)
        if len(batch):
            changed = {i: st for i, st in batch.as_dict().items() if i not in self._alarmed}
            self._states.update(changed)
            if changed:
                self.map.apply_states(list(changed), [int(st) for st in changed.values()])
        if self._panel_code and any(e.school == self._panel_code for e in entries):
            self._refresh_panel_presence()

    def set_alarmed(self, codes: set[str]) -> None:
        """Schools with an unresolved incident show as ALARM, whatever their agent's presence;
        when the incident is resolved the school goes back to its presence state."""
        alarmed = {i for i in (self._index.id_of(c) for c in codes) if i is not None}
        changed: dict[int, SchoolState] = {}
        for school_id in alarmed - self._alarmed:
            changed[school_id] = SchoolState.ALARM
        for school_id in self._alarmed - alarmed:
            code = self._index.code_of(school_id)
            presence = self._presence.get(code) if code is not None else None
            changed[school_id] = presence_state(presence.presence) if presence else SchoolState.UNKNOWN
        self._alarmed = alarmed
        if changed:
            self._states.update(changed)
            self.map.apply_states(list(changed), [int(st) for st in changed.values()])

    def presence_of(self, code: str) -> SchoolPresence | None:
        return self._presence.get(code)

    def online_count(self) -> int:
        """Schools of this city whose agent is online now."""
        return sum(
            1
            for code, p in self._presence.items()
            if p.presence == Presence.ONLINE and self._index.id_of(code) is not None
        )

    def _forget_panel_school(self) -> None:
        self._panel_code = ""

    def _refresh_panel_presence(self) -> None:
        presence = self._presence.get(self._panel_code) if self._panel_code else None
        if presence is not None:
            self.panel.agent_section.set_presence(presence)

    def _on_deliveries(self, deliveries: list[DeliveryUpdate]) -> None:
        if not self._panel_code:
            return
        mine = [d for d in deliveries if d.school == self._panel_code]
        if not mine:
            return
        section = self.panel.agent_section
        section.apply_deliveries(mine)
        if any(not section.knows_command(d.command_id) for d in mine):
            self._request_commands(self._panel_code)  # a new command: fetch the list again

    def _on_hub_connection(self, connected: bool, _detail: str) -> None:
        if connected and self._panel_code:
            self._request_agent(self._panel_code)

    def _request_agent(self, code: str) -> None:
        hub = self._hub
        if hub is None:
            self.panel.agent_section.clear(self.tr("The school network is not in use."))
            return
        hub.request("school_agent", {"school": code}, lambda reply: self._on_agent(code, reply))
        self._request_commands(code)

    def _request_commands(self, code: str) -> None:
        if self._hub is not None:
            self._hub.request(
                "school_commands",
                {"school": code, "limit": RECENT_COMMANDS},
                lambda reply: self._on_commands(code, reply),
            )

    def _on_agent(self, code: str, reply: HubReply) -> None:
        if code != self._panel_code:
            return  # the operator has opened another school meanwhile
        if reply.ok:
            self.panel.agent_section.set_agent(reply.result)
        else:
            self.panel.agent_section.clear(
                self.tr("Agent not available: %1").replace("%1", reply.error or reply.error_code)
            )

    def _on_commands(self, code: str, reply: HubReply) -> None:
        if code == self._panel_code and reply.ok:
            self.panel.agent_section.set_commands(reply.result.get("commands", []))

    def _district_choices(self, english: bool) -> list[tuple[int, str]]:
        return [(i, b.name_en if english else b.name) for i, b in enumerate(self._boundaries)]

    # --- filters, search, legend -----------------------------------------------------------------
    def _apply_filter(self) -> None:
        self.map.set_filters(
            districts=self.district_filter.checked(),
            types=self.type_filter.checked(),
            states=self.state_filter.checked(),
        )

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[SchoolSummary]:
        """Schools whose name or code contains *text* (on the in-memory summaries: 10,000 names
        filter in well under a millisecond, so the GUI thread can do it)."""
        needle = text.strip().lower()
        if not needle:
            return []
        hits = [
            s
            for s in self._schools_by_id.values()
            if (needle in s.name.lower() or needle in s.code.lower()) and self.in_scope(s)
        ]
        hits.sort(key=lambda s: (s.code.lower() != needle, not s.name.lower().startswith(needle), s.name))
        return hits[:limit]

    def _on_completion(self, text: str) -> None:
        school_id = self._school_by_completion.get(text)
        if school_id is not None:
            self.go_to_school(school_id)

    def _on_search_return(self) -> None:
        text = self.search_edit.text()
        school_id = self._school_by_completion.get(text)
        if school_id is None:
            hits = self.search(text, limit=1)
            if not hits:
                self.window().statusBar().showMessage(
                    self.tr("No school matches “%1”.").replace("%1", text), 5000
                )
                return
            school_id = hits[0].id
        self.go_to_school(school_id)

    def go_to_school(self, school_id: int) -> None:
        """Fly the map to the school and open its panel."""
        self.map.fly_to(school_id)
        self.open_school(school_id)

    def _update_totals(self) -> None:
        totals = self._city.totals if self._city is not None else None
        if totals is None:
            self.total_label.setText("")
        else:
            self.total_label.setText(
                self.tr("%1 schools · %2 students · %3 cameras")
                .replace("%1", f"{totals.schools:,}")
                .replace("%2", f"{totals.students:,}")
                .replace("%3", f"{totals.cameras:,}")
            )

    # --- the school panel ------------------------------------------------------------------------
    def open_school(self, school_id: int) -> None:
        """Show the panel for *school_id* and load its details on the database worker."""
        summary = self._schools_by_id.get(school_id)
        if summary is None or self._bridge.is_closed or not self.in_scope(summary):
            return
        self._detail_request += 1
        request = self._detail_request
        self.panel.show_loading(summary.name)
        self.panel.show()
        self._panel_code = summary.code
        self._request_agent(summary.code)
        self._bridge.submit(
            lambda ctx: get_school_detail(ctx.engine, school_id),
            on_done=lambda detail: self._on_detail(request, school_id, detail),
            on_error=lambda error: self._on_detail_error(request, error),
        )

    def _on_detail(self, request: int, school_id: int, detail: SchoolDetail | None) -> None:
        if request != self._detail_request:
            return  # the operator has clicked another school meanwhile
        if detail is None:
            self.panel.show_error(self.tr("This school is no longer in the database."))
            return
        self.panel.set_detail(detail, district_in_english=not interface_is_chinese())

    def _on_detail_error(self, request: int, error: BaseException) -> None:
        log.error("loading a school's details failed: %s", error, exc_info=error)
        if request == self._detail_request:
            self.panel.show_error(
                self.tr("The school's details could not be loaded: %1").replace("%1", str(error))
            )

    # --- layout (LayoutAware) ------------------------------------------------------------------
    def layout_state(self) -> QByteArray:
        return self.splitter.saveState()

    def restore_layout_state(self, data: QByteArray) -> None:
        self.splitter.restoreState(data)

    def reset_layout(self) -> None:
        self.splitter.setSizes(list(DEFAULT_SPLIT))

    # --- text ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        english = not interface_is_chinese()
        self.title_label.setText(self.tr("City map"))
        self.search_edit.setPlaceholderText(self.tr("Search a school by name or code…"))
        self.district_filter.set_title(self.tr("Districts"))
        self.type_filter.set_title(self.tr("School types"))
        self.state_filter.set_title(self.tr("States"))
        self.district_filter.rename(dict(self._district_choices(english)), self.tr("All districts"))
        self.type_filter.rename(
            {TYPE_CODES[t]: school_type_name(t) for t in SCHOOL_TYPES}, self.tr("All types")
        )
        self.state_filter.rename({int(s): state_name(s) for s in SchoolState}, self.tr("All states"))
        self._update_totals()
        self._show_on_map(english, keep_view=True)
        self.panel.set_district_in_english(english)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
