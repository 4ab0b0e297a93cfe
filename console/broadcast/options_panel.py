"""The send options of the compose page: PA zones, priority, time, repeat and title.

Zones are those the targeted schools' agents report for their PA devices (plus "all", the
default); priorities are only those the operator's role allows.

Signals: changed().
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QDateTime, QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.broadcast.wording import PRIORITY_COLORS, priority_name
from services.broadcast.requests import MAX_REPEAT, MAX_TITLE_CHARS, PRIORITIES
from services.broadcast.targets import ALL_ZONES

ZoneRole = Qt.ItemDataRole.UserRole + 1
PRIORITY_PERMISSIONS = {
    "emergency": "broadcast_emergency",
    "drill": "broadcast_drill",
    "routine": "broadcast_routine",
}


class OptionsPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("broadcastOptions")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionTitle")
        layout.addWidget(self.heading)
        form = QFormLayout()
        self.priority_label = QLabel(self)
        self.priority_box = QComboBox(self)
        self.priority_box.setObjectName("broadcastPriorityChoice")
        self.priority_box.currentIndexChanged.connect(lambda _i: self._on_priority())
        form.addRow(self.priority_label, self.priority_box)
        self.zones_label = QLabel(self)
        self.zone_list = QListWidget(self)
        self.zone_list.setObjectName("broadcastZones")
        self.zone_list.setMaximumHeight(120)
        self.zone_list.itemChanged.connect(self._on_zone)
        form.addRow(self.zones_label, self.zone_list)
        self.when_label = QLabel(self)
        when = QHBoxLayout()
        self.now_radio = QRadioButton(self)
        self.now_radio.setObjectName("sendNow")
        self.now_radio.setChecked(True)
        self.at_radio = QRadioButton(self)
        self.at_radio.setObjectName("sendAt")
        group = QButtonGroup(self)
        group.addButton(self.now_radio)
        group.addButton(self.at_radio)
        self.at_edit = QDateTimeEdit(self)
        self.at_edit.setObjectName("sendAtTime")
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setDateTime(QDateTime.currentDateTime().addSecs(600))
        self.at_edit.setEnabled(False)
        self.at_radio.toggled.connect(self.at_edit.setEnabled)
        self.at_radio.toggled.connect(lambda _on: self.changed.emit())
        when.addWidget(self.now_radio)
        when.addWidget(self.at_radio)
        when.addWidget(self.at_edit, 1)
        form.addRow(self.when_label, when)
        self.repeat_label = QLabel(self)
        self.repeat_spin = QSpinBox(self)
        self.repeat_spin.setObjectName("broadcastRepeat")
        self.repeat_spin.setRange(1, MAX_REPEAT)
        self.repeat_spin.valueChanged.connect(lambda _v: self.changed.emit())
        form.addRow(self.repeat_label, self.repeat_spin)
        self.title_label = QLabel(self)
        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("broadcastTitleEdit")
        self.title_edit.setMaxLength(MAX_TITLE_CHARS)
        form.addRow(self.title_label, self.title_edit)
        layout.addLayout(form)
        self.drill_banner = QLabel(self)
        self.drill_banner.setObjectName("drillBanner")
        self.drill_banner.setWordWrap(True)
        self.drill_banner.setStyleSheet(
            f"background: {PRIORITY_COLORS['drill']}; color: #101418; font-weight: bold; padding: 6px;"
        )
        self.drill_banner.hide()
        layout.addWidget(self.drill_banner)
        layout.addStretch(1)
        self._zones: list[str] = []
        self.set_zones([ALL_ZONES])
        self.retranslate_ui()

    # --- priority --------------------------------------------------------------------------------
    def set_allowed(self, permissions: Iterable[str]) -> None:
        """Offer only the priorities the operator may send (routine first, the usual choice)."""
        granted = set(permissions)
        current = self.priority()
        self.priority_box.blockSignals(True)
        self.priority_box.clear()
        for priority in reversed(PRIORITIES):
            if PRIORITY_PERMISSIONS[priority] in granted:
                self.priority_box.addItem(priority_name(priority), priority)
                self.priority_box.setItemData(
                    self.priority_box.count() - 1,
                    QColor(PRIORITY_COLORS[priority]),
                    Qt.ItemDataRole.DecorationRole,
                )
        index = self.priority_box.findData(current)
        self.priority_box.setCurrentIndex(max(index, 0) if self.priority_box.count() else -1)
        self.priority_box.blockSignals(False)
        self._on_priority()

    def priority(self) -> str:
        data = self.priority_box.currentData()
        return str(data) if data else ""

    def set_priority(self, priority: str) -> bool:
        index = self.priority_box.findData(priority)
        if index >= 0:
            self.priority_box.setCurrentIndex(index)
        return index >= 0

    def _on_priority(self) -> None:
        self.drill_banner.setVisible(self.priority() == "drill")
        self.changed.emit()

    # --- zones -----------------------------------------------------------------------------------
    def set_zones(self, zones: list[str]) -> None:
        """The zones to offer (the targeted schools' PA zones); choices still offered are kept."""
        if zones == self._zones:
            return
        chosen = set(self.chosen_zones()) or {ALL_ZONES}
        self._zones = list(zones)
        self.zone_list.blockSignals(True)
        self.zone_list.clear()
        for zone in zones:
            item = QListWidgetItem(self.tr("All zones") if zone == ALL_ZONES else zone)
            item.setData(ZoneRole, zone)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if zone in chosen else Qt.CheckState.Unchecked)
            self.zone_list.addItem(item)
        self.zone_list.blockSignals(False)
        if not self.chosen_zones():
            self.check_zones([ALL_ZONES])

    def chosen_zones(self) -> list[str]:
        return [
            str(self.zone_list.item(i).data(ZoneRole))
            for i in range(self.zone_list.count())
            if self.zone_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def zones_arg(self) -> list[str]:
        """The `zones` argument: empty for every zone."""
        chosen = self.chosen_zones()
        return [] if not chosen or ALL_ZONES in chosen else chosen

    def check_zones(self, zones: Iterable[str]) -> None:
        wanted = set(zones)
        self.zone_list.blockSignals(True)
        for i in range(self.zone_list.count()):
            item = self.zone_list.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if item.data(ZoneRole) in wanted else Qt.CheckState.Unchecked
            )
        self.zone_list.blockSignals(False)
        self.changed.emit()

    def _on_zone(self, item: QListWidgetItem) -> None:
        # "All zones" and single zones exclude each other; nothing checked means all again.
        zone = item.data(ZoneRole)
        if item.checkState() == Qt.CheckState.Checked:
            if zone == ALL_ZONES:
                self.check_zones([ALL_ZONES])
                return
            self.check_zones([z for z in self.chosen_zones() if z != ALL_ZONES])
            return
        if not self.chosen_zones():
            self.check_zones([ALL_ZONES])
            return
        self.changed.emit()

    # --- time, repeat, title ---------------------------------------------------------------------
    def at(self) -> float | None:
        return None if self.now_radio.isChecked() else float(self.at_edit.dateTime().toSecsSinceEpoch())

    def repeat(self) -> int:
        return self.repeat_spin.value()

    def title(self) -> str:
        return self.title_edit.text().strip()

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.heading.setText(self.tr("Options"))
        self.priority_label.setText(self.tr("Priority:"))
        for i in range(self.priority_box.count()):
            self.priority_box.setItemText(i, priority_name(str(self.priority_box.itemData(i))))
        self.zones_label.setText(self.tr("PA zones:"))
        for i in range(self.zone_list.count()):
            item = self.zone_list.item(i)
            if item.data(ZoneRole) == ALL_ZONES:
                item.setText(self.tr("All zones"))
        self.when_label.setText(self.tr("When:"))
        self.now_radio.setText(self.tr("Now"))
        self.at_radio.setText(self.tr("At"))
        self.repeat_label.setText(self.tr("Repeat:"))
        self.repeat_spin.setSuffix(self.tr(" times"))
        self.title_label.setText(self.tr("Title:"))
        self.title_edit.setPlaceholderText(self.tr("Shown in the history (the clip's title when empty)"))
        self.drill_banner.setText(
            self.tr("DRILL: every school first hears the drill announcement, then this clip.")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
