"""The map's selection tools (框选学校): draw an outline round schools, see how many, clear it, or
send the selection to the Broadcast page as its target.

The bar drives SchoolMapWidget's selection mode and turns the selected ids into school codes with
the page's lookup; the Broadcast page reads the same codes through `selected_codes()`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from widgets.school_map import SchoolMapWidget

CodeOf = Callable[[int], str | None]


class MapSelectionBar(QWidget):
    """Signals: broadcastRequested(list[str]) with the selected school codes."""

    broadcastRequested = Signal(list)

    def __init__(self, school_map: SchoolMapWidget, code_of: CodeOf, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapSelectionBar")
        self._map = school_map
        self._code_of = code_of
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.draw_button = QToolButton(self)
        self.draw_button.setObjectName("mapDrawSelection")
        self.draw_button.setCheckable(True)
        self.draw_button.toggled.connect(self._on_draw_toggled)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("mapSelectionCount")
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("mapClearSelection")
        self.clear_button.clicked.connect(lambda _c=False: self._map.clear_selection())
        self.broadcast_button = QPushButton(self)
        self.broadcast_button.setObjectName("mapBroadcastSelection")
        self.broadcast_button.clicked.connect(lambda _c=False: self._request_broadcast())
        self.broadcast_button.setVisible(False)  # until the operator may broadcast
        for widget in (self.draw_button, self.count_label, self.clear_button, self.broadcast_button):
            row.addWidget(widget)
        school_map.selectionChanged.connect(self._on_selection_changed)
        self._count = 0
        self.retranslate_ui()

    def selected_codes(self) -> list[str]:
        """The codes of the schools selected on the map."""
        return [code for i in self._map.selected_ids() if (code := self._code_of(i)) is not None]

    def set_broadcast_allowed(self, allowed: bool) -> None:
        self.broadcast_button.setVisible(allowed)

    def _on_draw_toggled(self, on: bool) -> None:
        self._map.set_selection_mode(on)

    def _on_selection_changed(self, count: int) -> None:
        self._count = count
        self._show_count()

    def _request_broadcast(self) -> None:
        codes = self.selected_codes()
        if codes:
            self.broadcastRequested.emit(codes)

    def _show_count(self) -> None:
        has = self._count > 0
        self.count_label.setText(self.tr("%n school(s) selected", "", self._count) if has else "")
        self.clear_button.setEnabled(has)
        self.broadcast_button.setEnabled(has)

    def retranslate_ui(self) -> None:
        self.draw_button.setText(self.tr("Draw selection"))
        self.draw_button.setToolTip(
            self.tr("Drag round schools on the map to select them; hold Shift to add to the selection")
        )
        self.clear_button.setText(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Clear the selection"))
        self.broadcast_button.setText(self.tr("Broadcast to selection…"))
        self._show_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
