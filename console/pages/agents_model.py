"""The table of agent enrollments (one row per key) behind the school agents page.

Rows are the hub's AgentInfo records, keyed by public key: the snapshot replaces them all, an
update replaces or adds the records it names. A proxy filters by status.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from services.protocol.console_messages import AgentInfo

STATUSES = ("pending", "accepted", "rejected", "revoked")
COLUMNS = (
    "school",
    "fingerprint",
    "status",
    "requested",
    "decided",
    "decided_by",
    "version",
    "hostname",
    "detail",
)
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


def status_name(status: str) -> str:
    names = {
        "pending": QCoreApplication.translate("EnrollmentStatusName", "Pending"),
        "accepted": QCoreApplication.translate("EnrollmentStatusName", "Accepted"),
        "rejected": QCoreApplication.translate("EnrollmentStatusName", "Rejected"),
        "revoked": QCoreApplication.translate("EnrollmentStatusName", "Revoked"),
    }
    return names.get(status, status)


def key_fingerprint(public_key: str) -> str:
    """A short, stable way to tell keys apart on screen: SHA-256 of the key, 16 hex digits."""
    digest = hashlib.sha256(public_key.encode()).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def format_time(timestamp: float | None) -> str:
    if not timestamp:
        return "—"
    return QDateTime.fromMSecsSinceEpoch(int(timestamp * 1000)).toString("yyyy-MM-dd HH:mm:ss")


class AgentsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AgentInfo] = []
        self._row_of: dict[str, int] = {}
        self._school_names: dict[str, str] = {}
        self._sort_spec: tuple[int, Qt.SortOrder] | None = None

    # --- data in ---------------------------------------------------------------------------------
    def set_agents(self, agents: Iterable[AgentInfo]) -> None:
        self.beginResetModel()
        self._rows = sorted(agents, key=lambda a: (a.school, a.requested_at))
        self._row_of = {a.public_key: i for i, a in enumerate(self._rows)}
        self.endResetModel()
        if self._sort_spec is not None:
            self.sort(*self._sort_spec)

    def update_agents(self, agents: Iterable[AgentInfo]) -> None:
        added: list[AgentInfo] = []
        changed: list[int] = []
        for agent in agents:
            row = self._row_of.get(agent.public_key)
            if row is None:
                added.append(agent)
                continue
            self._rows[row] = agent
            changed.append(row)
        if changed:  # one signal for the batch, not one per row
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), len(COLUMNS) - 1))
        if added:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            for agent in added:
                self._row_of[agent.public_key] = len(self._rows)
                self._rows.append(agent)
            self.endInsertRows()

    def set_school_names(self, names: Mapping[str, str]) -> None:
        self._school_names = dict(names)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    # --- data out --------------------------------------------------------------------------------
    def agent(self, row: int) -> AgentInfo:
        return self._rows[row]

    def agent_by_key(self, public_key: str) -> AgentInfo | None:
        row = self._row_of.get(public_key)
        return None if row is None else self._rows[row]

    def count(self, status: str) -> int:
        return sum(1 for a in self._rows if a.status == status)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        agent = self._rows[index.row()]
        if role == STATUS_ROLE:
            return agent.status
        if role == KEY_ROLE:
            return agent.public_key
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and column == "fingerprint":
            return agent.public_key
        if role == Qt.ItemDataRole.ToolTipRole and column == "detail":
            return agent.detail or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._text(agent, column)

    def _text(self, agent: AgentInfo, column: str) -> str:
        if column == "school":
            name = self._school_names.get(agent.school)
            return f"{name} ({agent.school})" if name else agent.school
        if column == "fingerprint":
            return key_fingerprint(agent.public_key)
        if column == "status":
            return status_name(agent.status)
        if column == "requested":
            return format_time(agent.requested_at)
        if column == "decided":
            return format_time(agent.decided_at)
        if column == "decided_by":
            return agent.decided_by or "—"
        if column == "version":
            return agent.agent_version or "—"
        if column == "hostname":
            return agent.hostname or "—"
        return agent.detail

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python, once: a proxy comparing through data() costs a second at 3,700 rows."""
        name = COLUMNS[column]
        self._sort_spec = (column, order)
        self.layoutAboutToBeChanged.emit()
        old_keys = [a.public_key for a in self._rows]
        self._rows.sort(key=lambda a: self._sort_key(a, name), reverse=order == Qt.SortOrder.DescendingOrder)
        self._row_of = {a.public_key: i for i, a in enumerate(self._rows)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [self.index(self._row_of[old_keys[i.row()]], i.column()) for i in persistent],
        )
        self.layoutChanged.emit()

    def _sort_key(self, agent: AgentInfo, column: str) -> Any:
        if column == "requested":
            return agent.requested_at
        if column == "decided":
            return agent.decided_at or 0.0
        return (self._text(agent, column), agent.school)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            "school": QCoreApplication.translate("AgentsModel", "School"),
            "fingerprint": QCoreApplication.translate("AgentsModel", "Key fingerprint"),
            "status": QCoreApplication.translate("AgentsModel", "Status"),
            "requested": QCoreApplication.translate("AgentsModel", "Requested at"),
            "decided": QCoreApplication.translate("AgentsModel", "Decided at"),
            "decided_by": QCoreApplication.translate("AgentsModel", "Decided by"),
            "version": QCoreApplication.translate("AgentsModel", "Version"),
            "hostname": QCoreApplication.translate("AgentsModel", "Host name"),
            "detail": QCoreApplication.translate("AgentsModel", "Detail"),
        }
        return titles[COLUMNS[section]]


class StatusFilter(QSortFilterProxyModel):
    """Shows the rows of one status ("" for all); sorting is the source model's own."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._status = ""

    def set_status(self, status: str) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None and column >= 0:
            source.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._status:
            return True
        model = self.sourceModel()
        return bool(model.data(model.index(source_row, 0, source_parent), STATUS_ROLE) == self._status)
