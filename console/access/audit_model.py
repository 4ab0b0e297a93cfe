"""One page of the audit record, as a table.

Entries come from the hub's `audit_search` answer and are read into the audit module's own
`AuditRecord`, the same record the CSV export writes; an entry the console cannot read is left
out with a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from console.access.role_names import role_name
from services.access.audit import AuditRecord, canonical_json

log = logging.getLogger(__name__)

COLUMNS = ("time", "operator", "role", "console", "action", "target", "result", "detail")
RESULT_COLORS = {"refused": QColor("#f5b82e"), "failed": QColor("#ff7b7b")}

_Index = QModelIndex | QPersistentModelIndex


def parse_entry(data: Mapping[str, Any]) -> AuditRecord:
    """One entry of an `audit_search` answer; ValueError when a field has the wrong type."""
    seq, at = data.get("seq"), data.get("at")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise ValueError(f"an audit entry without a sequence number: {seq!r}")
    if not isinstance(at, int | float) or isinstance(at, bool):
        raise ValueError(f"audit entry {seq} has no time")
    detail = data.get("detail", {})
    return AuditRecord(
        seq=seq,
        at=float(at),
        operator=str(data.get("operator", "")),
        role=str(data.get("role", "")),
        console=str(data.get("console", "")),
        action=str(data.get("action", "")),
        target=str(data.get("target", "")),
        result=str(data.get("result", "")),
        detail=detail if isinstance(detail, dict) else {"value": detail},
        prev_mac=str(data.get("prev_mac", "")),
        mac=str(data.get("mac", "")),
    )


def parse_entries(items: object) -> list[AuditRecord]:
    if not isinstance(items, list):
        log.error("the hub's audit entries are not a list: %s", type(items).__name__)
        return []
    records: list[AuditRecord] = []
    for item in items:
        try:
            if not isinstance(item, Mapping):
                raise ValueError(f"not a mapping: {item!r}")
            records.append(parse_entry(item))
        except ValueError as exc:
            log.error("left out an unreadable audit entry: %s", exc)
    return records


def result_name(result: str) -> str:
    names = {
        "ok": QCoreApplication.translate("AuditResultName", "OK"),
        "refused": QCoreApplication.translate("AuditResultName", "Refused"),
        "failed": QCoreApplication.translate("AuditResultName", "Failed"),
    }
    return names.get(result, result)


def format_audit_time(at: float) -> str:
    return QDateTime.fromMSecsSinceEpoch(int(at * 1000)).toString("yyyy-MM-dd HH:mm:ss")


def detail_text(detail: dict[str, Any]) -> str:
    """The detail on one line: key=value pairs (JSON for nested values)."""
    parts = []
    for key in sorted(detail):
        value = detail[key]
        shown = value if isinstance(value, str) else canonical_json(value)
        parts.append(f"{key}={shown}")
    return "  ".join(parts)


class AuditModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRecord] = []

    def set_entries(self, entries: Iterable[AuditRecord]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> AuditRecord:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and column == "result":
            return RESULT_COLORS.get(entry.result)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "detail" and entry.detail:
                return canonical_json(entry.detail)
            if column == "time":
                return QCoreApplication.translate("AuditModel", "Entry #%1").replace("%1", str(entry.seq))
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == "time":
            return format_audit_time(entry.at)
        if column == "role":
            return role_name(entry.role) if entry.role else ""
        if column == "result":
            return result_name(entry.result)
        if column == "detail":
            return detail_text(entry.detail)
        return str(getattr(entry, column))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            "time": QCoreApplication.translate("AuditModel", "Time"),
            "operator": QCoreApplication.translate("AuditModel", "Operator"),
            "role": QCoreApplication.translate("AuditModel", "Role"),
            "console": QCoreApplication.translate("AuditModel", "Console"),
            "action": QCoreApplication.translate("AuditModel", "Action"),
            "target": QCoreApplication.translate("AuditModel", "Target"),
            "result": QCoreApplication.translate("AuditModel", "Result"),
            "detail": QCoreApplication.translate("AuditModel", "Details"),
        }
        return titles[COLUMNS[section]]
