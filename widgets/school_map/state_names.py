"""The display names of the school states (translated; English source strings)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from services.school_state import SchoolState


def state_name(state: SchoolState) -> str:
    if state == SchoolState.UNKNOWN:
        return QCoreApplication.translate("SchoolStateName", "Unknown")
    if state == SchoolState.ONLINE:
        return QCoreApplication.translate("SchoolStateName", "Online")
    if state == SchoolState.LATE:
        return QCoreApplication.translate("SchoolStateName", "Late")
    if state == SchoolState.OFFLINE:
        return QCoreApplication.translate("SchoolStateName", "Offline")
    if state == SchoolState.OVERDUE_HAZARD:
        return QCoreApplication.translate("SchoolStateName", "Overdue hazard")
    if state == SchoolState.DRILL:
        return QCoreApplication.translate("SchoolStateName", "Drill")
    return QCoreApplication.translate("SchoolStateName", "Alarm")
