"""The per-school table of one broadcast's delivery, fed by the hub's delivery updates.

Updates are applied to the `DeliveryBook` at once (cheap) but shown on a short timer: with 3,700
schools changing state several times within a second, the view gets one `dataChanged` per flush
for the rows that changed, not one repaint per message (architecture: high-rate updates are
coalesced). `flushed` tells the panel to refresh its counts.

Signals: flushed().
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)

from console.broadcast.wording import STATE_COLORS, state_name
from services.broadcast.delivery import STATE_ORDER, BroadcastState, DeliveryBook, SchoolDelivery
from services.protocol.console_messages import DeliveryUpdate

FLUSH_MS = 200
COL_SCHOOL, COL_CODE, COL_STATE, COL_LATENCY, COL_REASON = range(5)
SortRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2
CodeRole = Qt.ItemDataRole.UserRole + 3
_Index = QModelIndex | QPersistentModelIndex


class DeliveryTableModel(QAbstractTableModel):
    flushed = Signal()

    def __init__(self, school_name: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._school_name = school_name
        self.book = DeliveryBook()
        self._shown = 0  # rows the view knows about (new schools appear at the next flush)
        self._dirty: set[int] = set()
        self._row_of: dict[str, int] = {}
        self._flush_timer = QTimer(self)
        self._flush_timer.setObjectName("broadcastProgressFlush")
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)

    # --- feeding ---------------------------------------------------------------------------------
    def reset(self, book: DeliveryBook) -> None:
        self.beginResetModel()
        self.book = book
        self._shown = len(book.order)
        self._row_of = {code: i for i, code in enumerate(book.order)}
        self._dirty.clear()
        self.endResetModel()
        self.flushed.emit()

    def apply(self, updates: Iterable[DeliveryUpdate]) -> None:
        """Apply the updates of this broadcast (the caller filters by command id)."""
        book = self.book
        for update in updates:
            if book.apply_update(update.school, update.state, update.reason, update.at, update.started_at):
                row = self._row_of.get(update.school)
                if row is None:
                    row = len(self._row_of)
                    self._row_of[update.school] = row
                self._dirty.add(row)
        if self._dirty and not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Show what changed since the last flush (also called directly by tests)."""
        self._flush_timer.stop()
        total = len(self.book.order)
        if total > self._shown:
            self.beginInsertRows(QModelIndex(), self._shown, total - 1)
            self._shown = total
            self.endInsertRows()
        changed = [r for r in self._dirty if r < self._shown]
        self._dirty.clear()
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), COL_REASON))
        self.flushed.emit()

    def stop_timer(self) -> None:
        self._flush_timer.stop()

    def row_data(self, row: int) -> SchoolDelivery:
        return self.book.rows[self.book.order[row]]

    def snapshot(self) -> list[SchoolDelivery]:
        """Copies of every row, safe to hand to another thread."""
        return [
            SchoolDelivery(r.school, r.state, r.reason, r.sent_at, r.playing_at, r.updated_at)
            for r in (self.book.rows[c] for c in self.book.order)
        ]

    # --- Qt model --------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("School"),
            self.tr("Code"),
            self.tr("State"),
            self.tr("Latency (ms)"),
            self.tr("Reason"),
        )[section]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._shown:
            return None
        row = self.row_data(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_SCHOOL:
                return self._school_name(row.school)
            if column == COL_CODE:
                return row.school
            if column == COL_STATE:
                return state_name(row.state)
            if column == COL_LATENCY:
                latency = row.latency_s(self.book.origin)
                return "" if latency is None else f"{latency * 1000:,.0f}"
            return row.reason
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STATE:
            return STATE_COLORS[row.state]
        if role == SortRole:
            if column == COL_STATE:
                return STATE_ORDER.index(row.state)
            if column == COL_LATENCY:
                latency = row.latency_s(self.book.origin)
                return -1.0 if latency is None else latency
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == StateRole:
            return row.state.value
        if role == CodeRole:
            return row.school
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_LATENCY:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class DeliveryFilter(QSortFilterProxyModel):
    """Shows the schools in the chosen states whose name or code contains the search text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self._states: frozenset[str] | None = None
        self._needle = ""

    def set_states(self, states: Sequence[BroadcastState] | None) -> None:
        self.beginFilterChange()
        self._states = None if states is None else frozenset(s.value for s in states)
        self.endFilterChange()

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().lower()
        self.endFilterChange()

    @property
    def is_filtering(self) -> bool:
        return self._states is not None or bool(self._needle)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, DeliveryTableModel):
            return True
        row = model.row_data(source_row)
        if self._states is not None and row.state.value not in self._states:
            return False
        if self._needle:
            name = str(model.data(model.index(source_row, COL_SCHOOL)))
            return self._needle in row.school.lower() or self._needle in name.lower()
        return True
