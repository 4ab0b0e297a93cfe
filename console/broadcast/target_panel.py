"""Target selection of the compose page: the whole city, districts, schools (searched by name or
code), saved groups, and the schools currently selected on the map.

School names and districts come from the console's city data (plain records). Saved groups are
read and written on the database worker, per operator. The number of schools reached is shown as
the hub will count it (services.broadcast.targets.expand).

Signals: changed() whenever the target changes; statusMessage(str).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.broadcast.jobs import DatabaseJobs, EngineContext
from services.broadcast.groups import GroupError, TargetGroup, delete_group, list_groups, save_group
from services.broadcast.targets import TargetChoice, expand
from services.db.records import DistrictRecord, SchoolSummary

log = logging.getLogger(__name__)

SEARCH_LIMIT = 30
CodeRole = Qt.ItemDataRole.UserRole + 1
SelectionProvider = Callable[[], Iterable[str]]


def _chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


class TargetPanel(QWidget):
    changed = Signal()
    statusMessage = Signal(str)

    def __init__(
        self, db: DatabaseJobs, operator_name: Callable[[], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("broadcastTarget")
        self._db = db
        self._operator_name = operator_name
        self._districts: tuple[DistrictRecord, ...] = ()
        self._schools: dict[str, SchoolSummary] = {}
        self.school_districts: dict[str, str] = {}  # school code -> district adcode
        self._groups: dict[str, TargetGroup] = {}
        self._map_selection: SelectionProvider | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionTitle")
        layout.addWidget(self.heading)
        mode_row = QHBoxLayout()
        self.city_radio = QRadioButton(self)
        self.city_radio.setObjectName("targetCity")
        self.chosen_radio = QRadioButton(self)
        self.chosen_radio.setObjectName("targetChosen")
        self.chosen_radio.setChecked(True)
        self._mode = QButtonGroup(self)
        self._mode.addButton(self.city_radio)
        self._mode.addButton(self.chosen_radio)
        self.city_radio.toggled.connect(lambda _on: self._on_mode())
        mode_row.addWidget(self.city_radio)
        mode_row.addWidget(self.chosen_radio)
        mode_row.addStretch(1)
        layout.addLayout(mode_row)

        self.choices = QWidget(self)
        grid = QGridLayout(self.choices)
        grid.setContentsMargins(0, 0, 0, 0)
        self.districts_label = QLabel(self.choices)
        self.district_list = QListWidget(self.choices)
        self.district_list.setObjectName("targetDistricts")
        self.district_list.itemChanged.connect(lambda _item: self._emit_changed())
        self.search_edit = QLineEdit(self.choices)
        self.search_edit.setObjectName("targetSchoolSearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search)
        self.search_edit.returnPressed.connect(self._add_first_hit)
        self.hits = QListWidget(self.choices)
        self.hits.setObjectName("targetSchoolHits")
        self.hits.itemDoubleClicked.connect(self._add_hit)
        self.chosen_label = QLabel(self.choices)
        self.chosen_list = QListWidget(self.choices)
        self.chosen_list.setObjectName("targetChosenSchools")
        self.chosen_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.remove_button = QPushButton(self.choices)
        self.remove_button.clicked.connect(lambda _c=False: self.remove_selected())
        self.clear_button = QPushButton(self.choices)
        self.clear_button.clicked.connect(lambda _c=False: self.clear())
        self.map_button = QPushButton(self.choices)
        self.map_button.setObjectName("targetFromMap")
        self.map_button.clicked.connect(lambda _c=False: self.add_map_selection())
        self.map_button.setEnabled(False)
        grid.addWidget(self.districts_label, 0, 0)
        grid.addWidget(self.district_list, 1, 0, 3, 1)
        grid.addWidget(self.search_edit, 0, 1)
        grid.addWidget(self.hits, 1, 1)
        grid.addWidget(self.chosen_label, 2, 1)
        grid.addWidget(self.chosen_list, 3, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.map_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)
        grid.addLayout(buttons, 4, 0, 1, 2)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        layout.addWidget(self.choices, 1)

        groups = QHBoxLayout()
        self.groups_label = QLabel(self)
        self.group_box = QComboBox(self)
        self.group_box.setObjectName("targetGroups")
        self.group_box.setMinimumWidth(160)
        self.apply_group_button = QPushButton(self)
        self.apply_group_button.clicked.connect(
            lambda _c=False: self.apply_group(self.group_box.currentText())
        )
        self.save_group_button = QPushButton(self)
        self.save_group_button.clicked.connect(lambda _c=False: self._ask_group_name())
        self.delete_group_button = QPushButton(self)
        self.delete_group_button.clicked.connect(
            lambda _c=False: self.delete_group(self.group_box.currentText())
        )
        for widget in (
            self.groups_label,
            self.group_box,
            self.apply_group_button,
            self.save_group_button,
            self.delete_group_button,
        ):
            groups.addWidget(widget)
        groups.addStretch(1)
        layout.addLayout(groups)
        self._update_group_buttons()
        self.retranslate_ui()

    # --- data in ---------------------------------------------------------------------------------
    def set_city(self, districts: Sequence[DistrictRecord], schools: Sequence[SchoolSummary]) -> None:
        chosen = set(self.chosen_schools())
        checked = set(self.chosen_districts())
        adcodes = {d.id: d.adcode for d in districts}
        self._districts = tuple(districts)
        self._schools = {s.code: s for s in schools}
        self.school_districts = {s.code: adcodes.get(s.district_id, "") for s in schools}
        self.district_list.blockSignals(True)
        self.district_list.clear()
        counts: dict[str, int] = {}
        for adcode in self.school_districts.values():
            counts[adcode] = counts.get(adcode, 0) + 1
        for district in self._districts:
            item = QListWidgetItem(f"{self._district_name(district)} ({counts.get(district.adcode, 0):,})")
            item.setData(CodeRole, district.adcode)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if district.adcode in checked else Qt.CheckState.Unchecked
            )
            self.district_list.addItem(item)
        self.district_list.blockSignals(False)
        self.chosen_list.clear()
        self.add_schools(chosen)
        self._emit_changed()

    def set_map_selection(self, provider: SelectionProvider | None) -> None:
        """Where "add the schools selected on the map" takes its school codes from."""
        self._map_selection = provider
        self.map_button.setEnabled(provider is not None)

    def school_name(self, code: str) -> str:
        school = self._schools.get(code)
        return school.name if school is not None else code

    def _district_name(self, district: DistrictRecord) -> str:
        return district.name if _chinese() else district.name_en

    # --- the choice ------------------------------------------------------------------------------
    def target(self) -> TargetChoice:
        if self.city_radio.isChecked():
            return TargetChoice(all_schools=True)
        return TargetChoice(districts=tuple(self.chosen_districts()), schools=tuple(self.chosen_schools()))

    def reached(self) -> set[str]:
        return expand(self.target(), self.school_districts)

    def chosen_districts(self) -> list[str]:
        return [
            str(self.district_list.item(i).data(CodeRole))
            for i in range(self.district_list.count())
            if self.district_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def chosen_schools(self) -> list[str]:
        return [str(self.chosen_list.item(i).data(CodeRole)) for i in range(self.chosen_list.count())]

    def set_whole_city(self, whole: bool) -> None:
        (self.city_radio if whole else self.chosen_radio).setChecked(True)

    def set_districts(self, adcodes: Iterable[str]) -> None:
        wanted = set(adcodes)
        self.district_list.blockSignals(True)
        for i in range(self.district_list.count()):
            item = self.district_list.item(i)
            checked = item.data(CodeRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.district_list.blockSignals(False)
        self._emit_changed()

    def add_schools(self, codes: Iterable[str]) -> int:
        """Add schools to the chosen list (each once); returns how many were new."""
        have = set(self.chosen_schools())
        added = 0
        for code in sorted(set(codes) - have, key=self.school_name):
            item = QListWidgetItem(f"{self.school_name(code)} ({code})")
            item.setData(CodeRole, code)
            self.chosen_list.addItem(item)
            added += 1
        if added:
            self.chosen_radio.setChecked(True)
            self._emit_changed()
        return added

    def remove_selected(self) -> None:
        for item in self.chosen_list.selectedItems():
            self.chosen_list.takeItem(self.chosen_list.row(item))
        self._emit_changed()

    def clear(self) -> None:
        self.chosen_list.clear()
        self.set_districts(())

    def add_map_selection(self) -> None:
        if self._map_selection is None:
            return
        codes = [c for c in self._map_selection() if c in self._schools]
        if not codes:
            self.statusMessage.emit(self.tr("No schools are selected on the map."))
            return
        added = self.add_schools(codes)
        self.statusMessage.emit(self.tr("%1 schools added from the map.").replace("%1", str(added)))

    def _on_mode(self) -> None:
        self.choices.setEnabled(not self.city_radio.isChecked())
        self._emit_changed()

    def _emit_changed(self) -> None:
        self.changed.emit()

    # --- search ----------------------------------------------------------------------------------
    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[SchoolSummary]:
        needle = text.strip().lower()
        if not needle:
            return []
        hits = [s for s in self._schools.values() if needle in s.name.lower() or needle in s.code.lower()]
        hits.sort(key=lambda s: (s.code.lower() != needle, not s.name.lower().startswith(needle), s.name))
        return hits[:limit]

    def _search(self, text: str) -> None:
        self.hits.clear()
        for school in self.search(text):
            item = QListWidgetItem(f"{school.name} ({school.code})")
            item.setData(CodeRole, school.code)
            self.hits.addItem(item)

    def _add_hit(self, item: QListWidgetItem) -> None:
        self.add_schools([str(item.data(CodeRole))])

    def _add_first_hit(self) -> None:
        if self.hits.count():
            self._add_hit(self.hits.item(0))

    # --- saved groups ----------------------------------------------------------------------------
    def load_groups(self) -> None:
        owner = self._operator_name()
        if not owner:
            self._set_groups([])
            return
        self._db.submit(
            lambda ctx: list_groups(ctx.engine, owner),
            on_done=self._set_groups,
            on_error=lambda error: self._report(self.tr("Saved groups could not be loaded: %1"), error),
        )

    def _set_groups(self, groups: list[TargetGroup], select: str = "") -> None:
        current = select or self.group_box.currentText()
        self._groups = {g.name: g for g in groups}
        self.group_box.clear()
        self.group_box.addItems(list(self._groups))
        if current in self._groups:
            self.group_box.setCurrentText(current)
        self._update_group_buttons()

    def group_names(self) -> list[str]:
        return list(self._groups)

    def apply_group(self, name: str) -> None:
        group = self._groups.get(name)
        if group is None:
            return
        self.chosen_radio.setChecked(True)
        self.chosen_list.clear()
        self.set_districts(group.districts)
        self.add_schools(group.schools)
        self._emit_changed()

    def _ask_group_name(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save target group"), self.tr("Group name:"))
        if ok and name.strip():
            self.save_group_as(name)

    def save_group_as(self, name: str) -> None:
        owner = self._operator_name()
        schools, districts = self.chosen_schools(), self.chosen_districts()

        def job(ctx: EngineContext) -> tuple[list[TargetGroup], str]:
            saved = save_group(ctx.engine, owner, name, schools, districts)
            return list_groups(ctx.engine, owner), saved.name

        self._db.submit(
            job,
            on_done=lambda result: self._group_saved(*result),
            on_error=lambda error: self._report(self.tr("The group was not saved: %1"), error),
        )

    def _group_saved(self, groups: list[TargetGroup], name: str) -> None:
        self._set_groups(groups, select=name)
        self.statusMessage.emit(self.tr("Group “%1” saved.").replace("%1", name))

    def delete_group(self, name: str) -> None:
        owner = self._operator_name()
        if name not in self._groups:
            return

        def job(ctx: EngineContext) -> list[TargetGroup]:
            delete_group(ctx.engine, owner, name)
            return list_groups(ctx.engine, owner)

        self._db.submit(
            job,
            on_done=self._set_groups,
            on_error=lambda error: self._report(self.tr("The group was not deleted: %1"), error),
        )

    def _update_group_buttons(self) -> None:
        has = bool(self._groups)
        self.apply_group_button.setEnabled(has)
        self.delete_group_button.setEnabled(has)

    def _report(self, template: str, error: BaseException) -> None:
        if isinstance(error, GroupError):
            log.info("target group refused: %s", error)
        else:
            log.error("%s", template.replace("%1", str(error)), exc_info=error)
        self.statusMessage.emit(template.replace("%1", str(error)))

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.heading.setText(self.tr("Target"))
        self.city_radio.setText(self.tr("Whole city"))
        self.chosen_radio.setText(self.tr("Districts and schools"))
        self.districts_label.setText(self.tr("Districts (every school in them):"))
        self.search_edit.setPlaceholderText(self.tr("Search a school to add (name or code)…"))
        self.chosen_label.setText(self.tr("Chosen schools:"))
        self.remove_button.setText(self.tr("Remove"))
        self.clear_button.setText(self.tr("Clear"))
        self.map_button.setText(self.tr("Add the map's selection"))
        self.groups_label.setText(self.tr("Saved groups:"))
        self.apply_group_button.setText(self.tr("Use"))
        self.save_group_button.setText(self.tr("Save as group…"))
        self.delete_group_button.setText(self.tr("Delete"))
        if self._districts:
            self.set_city(self._districts, list(self._schools.values()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
