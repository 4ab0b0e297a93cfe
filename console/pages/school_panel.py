"""The panel that shows one school: details, its agent, contacts and cameras.

The details come from a SchoolDetail record; the agent section from the hub (the map page feeds it).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain_names import contact_role_name, school_type_name
from console.pages.school_agent_section import SchoolAgentSection
from services.db.records import SchoolDetail

AGENT_TAB, CAMERAS_TAB, CONTACTS_TAB = 0, 1, 2


class SchoolPanel(QFrame):
    """Signals: closed() when the operator closes the panel."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schoolPanel")
        self.setMinimumWidth(380)
        self._detail: SchoolDetail | None = None
        self._district_in_english = False

        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        self.title_label = QLabel(self)
        self.title_label.setObjectName("panelTitle")
        self.title_label.setWordWrap(True)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("panelClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self._close)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)

        badges = QHBoxLayout()
        self.demo_badge = QLabel(self)
        self.demo_badge.setObjectName("badgeDemo")
        self.pilot_badge = QLabel(self)
        self.pilot_badge.setObjectName("badgePilot")
        badges.addWidget(self.demo_badge)
        badges.addWidget(self.pilot_badge)
        badges.addStretch(1)
        layout.addLayout(badges)

        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._form_labels: list[QLabel] = []
        self.code_value = self._add_row(form)
        self.type_value = self._add_row(form)
        self.district_value = self._add_row(form)
        self.address_value = self._add_row(form)
        self.students_value = self._add_row(form)
        self.staff_value = self._add_row(form)
        layout.addLayout(form)

        # The agent, the cameras and the contacts share the rest of the height as tabs.
        self.sections = QTabWidget(self)
        self.sections.setObjectName("schoolSections")
        self.agent_section = SchoolAgentSection(self.sections)
        self.cameras_table = self._make_table(5)
        self.contacts_table = self._make_table(3)
        self.sections.addTab(self.agent_section, "")
        self.sections.addTab(self.cameras_table, "")
        self.sections.addTab(self.contacts_table, "")
        layout.addWidget(self.sections, 1)
        self.retranslate_ui()

    def _add_row(self, form: QFormLayout) -> QLabel:
        name = QLabel(self)
        value = QLabel(self)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(name, value)
        self._form_labels.append(name)
        return value

    def _make_table(self, columns: int) -> QTableWidget:
        table = QTableWidget(0, columns, self)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # --- data ----------------------------------------------------------------------------------
    @property
    def school_id(self) -> int | None:
        return self._detail.summary.id if self._detail is not None else None

    @property
    def detail(self) -> SchoolDetail | None:
        return self._detail

    def show_loading(self, name: str) -> None:
        self._detail = None
        self.title_label.setText(name)
        self.status_label.setText(self.tr("Loading…"))
        self.status_label.show()
        self._clear()

    def show_error(self, text: str) -> None:
        self._detail = None
        self.status_label.setText(text)
        self.status_label.show()
        self._clear()

    def set_detail(self, detail: SchoolDetail, *, district_in_english: bool = False) -> None:
        self._detail = detail
        self._district_in_english = district_in_english
        self.status_label.hide()
        self._render()

    def set_district_in_english(self, english: bool) -> None:
        self._district_in_english = english
        if self._detail is not None:
            self._render()

    def _clear(self) -> None:
        for value in (
            self.code_value,
            self.type_value,
            self.district_value,
            self.address_value,
            self.students_value,
            self.staff_value,
        ):
            value.clear()
        self.demo_badge.hide()
        self.pilot_badge.hide()
        self.agent_section.clear()
        self.contacts_table.setRowCount(0)
        self.cameras_table.setRowCount(0)

    def _render(self) -> None:
        detail = self._detail
        if detail is None:
            return
        summary = detail.summary
        self.title_label.setText(summary.name)
        self.code_value.setText(summary.code)
        self.type_value.setText(school_type_name(summary.school_type))
        self.district_value.setText(
            detail.district_name_en if self._district_in_english else detail.district_name
        )
        self.address_value.setText(detail.address or "—")
        self.students_value.setText(f"{summary.student_count:,}")
        self.staff_value.setText(f"{detail.staff_count:,}")
        self.demo_badge.setVisible(detail.is_demo)
        self.pilot_badge.setVisible(summary.is_pilot)

        self.contacts_table.setRowCount(len(detail.contacts))
        for row, contact in enumerate(detail.contacts):
            for column, text in enumerate((contact_role_name(contact.role), contact.name, contact.phone)):
                self.contacts_table.setItem(row, column, QTableWidgetItem(text))

        self.sections.setTabText(CAMERAS_TAB, self.tr("Cameras (%n)", "", len(detail.cameras)))
        self.cameras_table.setRowCount(len(detail.cameras))
        yes, no = self.tr("Yes"), self.tr("No")
        for row, camera in enumerate(detail.cameras):
            cells = (
                camera.name,
                camera.area,
                yes if camera.is_key_area else no,
                camera.main_stream_url,
                camera.sub_stream_url,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.cameras_table.setItem(row, column, item)

    def _close(self) -> None:
        self.hide()
        self.closed.emit()

    # --- text ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.close_button.setToolTip(self.tr("Close"))
        self.demo_badge.setText(self.tr("Demo data"))
        self.pilot_badge.setText(self.tr("Pilot school"))
        names = (
            self.tr("Code"),
            self.tr("Type"),
            self.tr("District"),
            self.tr("Address"),
            self.tr("Students"),
            self.tr("Staff"),
        )
        for label, text in zip(self._form_labels, names, strict=True):
            label.setText(text)
        self.sections.setTabText(AGENT_TAB, self.tr("School agent"))
        self.sections.setTabText(CONTACTS_TAB, self.tr("Contacts"))
        self.contacts_table.setHorizontalHeaderLabels([self.tr("Role"), self.tr("Name"), self.tr("Phone")])
        self.sections.setTabText(CAMERAS_TAB, self.tr("Cameras"))
        self.cameras_table.setHorizontalHeaderLabels(
            [
                self.tr("Camera"),
                self.tr("Area"),
                self.tr("Key area"),
                self.tr("Main stream"),
                self.tr("Sub stream"),
            ]
        )
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
