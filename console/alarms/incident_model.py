"""The incident queue as a Qt table model: ordered by priority then time, updated by incident id.

Unresolved incidents come first (priority 1 first, then the oldest), resolved ones at the end, or
not at all when the model hides them (the always-visible queue does; the history page does not).
Updates from the hub are applied per incident: a changed incident whose place in the order stays
the same is one dataChanged; one that moves is a row move; a new one is one row insert. Nothing
resets the whole model, so a flood of alarms never makes the view rebuild or lose its selection.

The timer columns (age, acknowledge and process countdowns) depend on the clock: `tick()` refreshes
just those cells, once a second, from a timer the view owns.

Signals: countsChanged() when the open/acknowledged/overdue counts or the alarm rate changed.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from console.alarms.alarm_types import AlarmTypeBook
from console.alarms.icons import type_icon
from console.alarms.incident_data import (
    ACKNOWLEDGED,
    OPEN,
    Incident,
    IncidentDataError,
    incident_from_wire,
)

log = logging.getLogger(__name__)

COL_TYPE, COL_SCHOOL, COL_LOCATION, COL_AGE, COL_ALARMS, COL_STATUS, COL_ACK, COL_DUE = range(8)
COLUMN_COUNT = 8
CLOCK_COLUMNS = (COL_AGE, COL_ACK, COL_DUE)
IncidentRole = Qt.ItemDataRole.UserRole + 1
OverdueRole = Qt.ItemDataRole.UserRole + 2
TypeColourRole = Qt.ItemDataRole.UserRole + 3
OVERDUE_HEX = "#ff4d4f"
RESOLVED_HEX = "#7b8794"

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_HANDLED_ROLES = frozenset(
    {_DISPLAY, _DECORATION, _FOREGROUND, _BACKGROUND, _FONT, _ALIGNMENT, _TOOLTIP,
     int(IncidentRole), int(OverdueRole), int(TypeColourRole)}
)  # fmt: skip
_OVERDUE_COLOUR = QColor(OVERDUE_HEX)
_OVERDUE_BACKGROUND = QColor(255, 48, 64, 60)
_RESOLVED_COLOUR = QColor(RESOLVED_HEX)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@lru_cache(maxsize=1)
def _bold_font() -> QFont:
    font = QFont()  # made on first use: a QFont wants the application to exist
    font.setBold(True)
    return font


def clock_text(seconds: float) -> str:
    """mm:ss (h:mm:ss past an hour) of a non-negative duration."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class QueueCounts:
    open: int = 0
    acknowledged: int = 0
    unacknowledged_priority1: int = 0
    overdue: int = 0
    resolved: int = 0

    @property
    def active(self) -> int:
        return self.open + self.acknowledged


class IncidentModel(QAbstractTableModel):
    countsChanged = Signal()

    def __init__(
        self,
        types: AlarmTypeBook | None = None,
        *,
        show_resolved: bool = False,
        clock: Callable[[], float] = time.time,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._types = types or AlarmTypeBook()
        self._show_resolved = show_resolved
        self._clock = clock
        self._by_id: dict[str, Incident] = {}
        self._rows: list[tuple[int, int, float, str]] = []  # sort keys of the shown rows, in order
        self._school_names: dict[str, str] = {}
        self._me = ""
        self.alarm_rate_per_min = 0.0
        self._counts = QueueCounts()
        self._backgrounds: dict[str, QColor] = {}
        self.rejected = 0  # malformed incidents from the hub (logged and skipped)

    # --- data in -------------------------------------------------------------------------------
    def set_types(self, types: AlarmTypeBook) -> None:
        self._types = types
        self._backgrounds.clear()
        self._refresh_all()

    def set_school_names(self, names: Mapping[str, str]) -> None:
        """School code -> display name (the console's school list)."""
        self._school_names = dict(names)
        self._refresh_all()

    def set_operator(self, username: str) -> None:
        self._me = username
        self._refresh_all()

    def set_alarm_rate(self, per_minute: float) -> None:
        if per_minute != self.alarm_rate_per_min:
            self.alarm_rate_per_min = per_minute
            self.countsChanged.emit()

    def apply(self, incidents: Iterable[object], complete: bool = False) -> list[Incident]:
        """Apply incidents from the hub (IncidentView structs, dicts or Incident records).

        With *complete* (a snapshot) the list is the whole truth: incidents it does not name are
        dropped. Otherwise each replaces the one with its id unless it is an older version.
        Returns the incidents that were new or changed.
        """
        fresh: dict[str, Incident] = {}
        for value in incidents:
            try:
                incident = value if isinstance(value, Incident) else incident_from_wire(value)
            except IncidentDataError as exc:
                self.rejected += 1
                log.error("an incident from the hub is skipped: %s", exc)
                continue
            fresh[incident.incident_id] = incident
        if complete:
            for gone in [i for i in self._by_id if i not in fresh]:
                self._remove(gone)
        changed = []
        for incident in fresh.values():
            old = self._by_id.get(incident.incident_id)
            if old is not None and incident.version < old.version:
                continue  # a late copy of an older state
            if old is not None and incident == old:
                continue
            self._upsert(old, incident)
            changed.append(incident)
        if changed or complete:
            self._recount()
        return changed

    def clear(self) -> None:
        self.beginResetModel()  # only on logout: a different operator may see different incidents
        self._by_id.clear()
        self._rows.clear()
        self.endResetModel()
        self._recount()

    # --- questions -----------------------------------------------------------------------------
    def incident(self, incident_id: str) -> Incident | None:
        return self._by_id.get(incident_id)

    def incidents(self) -> list[Incident]:
        """Every incident held, in queue order (also the hidden resolved ones at the end)."""
        return sorted(self._by_id.values(), key=Incident.sort_key)

    def incident_at(self, row: int) -> Incident | None:
        if 0 <= row < len(self._rows):
            return self._by_id.get(self._rows[row][3])
        return None

    def row_of(self, incident_id: str) -> int:
        incident = self._by_id.get(incident_id)
        if incident is None:
            return -1
        key = incident.sort_key()
        row = bisect.bisect_left(self._rows, key)
        return row if row < len(self._rows) and self._rows[row] == key else -1

    def counts(self) -> QueueCounts:
        return self._counts

    def school_name(self, code: str) -> str:
        return self._school_names.get(code, code)

    @property
    def types(self) -> AlarmTypeBook:
        return self._types

    # --- the clock -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Refresh the clock columns (the view's one-second timer calls this)."""
        if self._rows:
            top = self.index(0, COL_AGE)
            bottom = self.index(len(self._rows) - 1, COL_DUE)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])
        overdue = self._overdue_count(self._clock())
        if overdue != self._counts.overdue:
            self._recount()

    # --- QAbstractTableModel -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Type"), self.tr("School"), self.tr("Location"), self.tr("Age"),
            self.tr("Alarms"), self.tr("Status"), self.tr("Acknowledge"), self.tr("Process"),
        )  # fmt: skip
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks about a dozen roles per cell on every paint: unhandled ones return at once,
        # and no Python delegate is involved, which keeps a long queue cheap to repaint.
        role = int(role)
        if role not in _HANDLED_ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        incident = self._by_id[self._rows[row][3]]
        column = index.column()
        if role == _DISPLAY:
            return self._text(incident, column)
        if role == IncidentRole:
            return incident
        if role == _FOREGROUND:
            if self._overdue(incident, column):
                return _OVERDUE_COLOUR
            return _RESOLVED_COLOUR if incident.is_resolved else None
        if role == _BACKGROUND:
            if self._overdue(incident, column):
                return _OVERDUE_BACKGROUND
            if column == COL_TYPE:
                return self._type_background(incident.alarm_type)
            return None
        if role == _FONT:
            return _bold_font() if self._overdue(incident, column) else None
        if role == _DECORATION:
            return type_icon(self._types.style(incident.alarm_type)) if column == COL_TYPE else None
        if role == _ALIGNMENT:
            return _RIGHT if column in (COL_AGE, COL_ALARMS, COL_ACK, COL_DUE) else None
        if role == OverdueRole:
            return self._overdue(incident, column)
        if role == TypeColourRole:
            return self._types.style(incident.alarm_type).colour
        if role == _TOOLTIP and column == COL_SCHOOL:
            return f"{self.school_name(incident.school)} ({incident.school})"
        return None

    def _type_background(self, alarm_type: str) -> QColor:
        colour = self._backgrounds.get(alarm_type)
        if colour is None:
            colour = QColor(self._types.style(alarm_type).colour)
            colour.setAlpha(70)  # the type's colour behind its name, quiet enough to read over
            self._backgrounds[alarm_type] = colour
        return colour

    # --- internals -----------------------------------------------------------------------------
    def _shown(self, incident: Incident) -> bool:
        return self._show_resolved or not incident.is_resolved

    def _upsert(self, old: Incident | None, new: Incident) -> None:
        self._by_id[new.incident_id] = new
        old_row = -1
        if old is not None and self._shown(old):
            old_row = bisect.bisect_left(self._rows, old.sort_key())
        new_key = new.sort_key()
        if not self._shown(new):
            if old_row >= 0:
                self.beginRemoveRows(QModelIndex(), old_row, old_row)
                del self._rows[old_row]
                self.endRemoveRows()
            return
        if old_row >= 0 and old is not None and old.sort_key() == new_key:
            self.dataChanged.emit(self.index(old_row, 0), self.index(old_row, COLUMN_COUNT - 1))
            return
        if old_row >= 0:
            target = bisect.bisect_left(self._rows, new_key)
            # beginMoveRows counts the destination before the row leaves; the same place is no move.
            destination = target if target <= old_row else target + 1
            if destination in (old_row, old_row + 1):
                self._rows[old_row] = new_key
                self.dataChanged.emit(self.index(old_row, 0), self.index(old_row, COLUMN_COUNT - 1))
                return
            self.beginMoveRows(QModelIndex(), old_row, old_row, QModelIndex(), destination)
            del self._rows[old_row]
            self._rows.insert(bisect.bisect_left(self._rows, new_key), new_key)
            self.endMoveRows()
            row = self.row_of(new.incident_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, COLUMN_COUNT - 1))
            return
        row = bisect.bisect_left(self._rows, new_key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, new_key)
        self.endInsertRows()

    def _remove(self, incident_id: str) -> None:
        incident = self._by_id.pop(incident_id)
        if self._shown(incident):
            row = bisect.bisect_left(self._rows, incident.sort_key())
            if row < len(self._rows) and self._rows[row] == incident.sort_key():
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()

    def _refresh_all(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1))

    def _recount(self) -> None:
        states = [i.state for i in self._by_id.values()]
        counts = QueueCounts(
            open=states.count(OPEN),
            acknowledged=states.count(ACKNOWLEDGED),
            unacknowledged_priority1=sum(1 for i in self._by_id.values() if i.is_open and i.priority == 1),
            overdue=self._overdue_count(self._clock()),
            resolved=sum(1 for s in states if s not in (OPEN, ACKNOWLEDGED)),
        )
        if counts != self._counts:
            self._counts = counts
            self.countsChanged.emit()

    def _overdue_count(self, now: float) -> int:
        return sum(1 for i in self._by_id.values() if self._is_overdue(i, now))

    @staticmethod
    def _is_overdue(incident: Incident, now: float) -> bool:
        if incident.is_resolved:
            return False
        return (
            bool(incident.escalation)
            or now > incident.process_due_at
            or (incident.is_open and now > incident.ack_due_at)
        )

    def _overdue(self, incident: Incident, column: int) -> bool:
        if incident.is_resolved:
            return False
        now = self._clock()
        if column == COL_ACK:
            return incident.is_open and (now > incident.ack_due_at or incident.escalation == "ack_overdue")
        if column == COL_DUE:
            return now > incident.process_due_at or incident.escalation == "processing_overdue"
        return False

    def _text(self, incident: Incident, column: int) -> str:
        now = self._clock()
        if column == COL_TYPE:
            return self._types.style(incident.alarm_type).name()
        if column == COL_SCHOOL:
            return self.school_name(incident.school)
        if column == COL_LOCATION:
            return incident.location
        if column == COL_AGE:
            return clock_text(now - incident.opened_at)
        if column == COL_ALARMS:
            return str(incident.alarm_count)
        if column == COL_STATUS:
            return self.status_text(incident)
        if column == COL_ACK:
            if incident.is_open:
                return self._countdown(incident.ack_due_at - now)
            taken = (incident.acknowledged_at or incident.opened_at) - incident.opened_at
            return "✓ " + clock_text(taken)
        if column == COL_DUE:
            if incident.is_resolved:
                return "—"
            return self._countdown(incident.process_due_at - now)
        return ""

    def _countdown(self, remaining: float) -> str:
        return clock_text(remaining) if remaining >= 0 else "+" + clock_text(-remaining)

    def status_text(self, incident: Incident) -> str:
        if incident.is_resolved:
            return self.tr("False alarm") if incident.false_alarm else self.tr("Resolved")
        if incident.transfer_to:
            return self.tr("%1 → %2").replace("%1", incident.owner).replace("%2", incident.transfer_to)
        if incident.owner:
            if incident.owner == self._me:
                return self.tr("Mine")
            return incident.owner
        if incident.state == ACKNOWLEDGED:
            return self.tr("Acknowledged")
        return self.tr("New")
