"""The hover tooltip text for one school (rich text, escaped)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication

from services.school_state import SchoolState
from widgets.school_map.state_names import state_name
from widgets.theme_colors import STATE_COLOR_HEX


def school_tooltip(name: str, type_name: str, district: str, students: int, state: SchoolState) -> str:
    rows = [
        f"<b>{escape(name)}</b>",
        escape(QCoreApplication.translate("SchoolMapTooltip", "Type: %1").replace("%1", type_name)),
        escape(QCoreApplication.translate("SchoolMapTooltip", "District: %1").replace("%1", district)),
        escape(QCoreApplication.translate("SchoolMapTooltip", "Students: %1").replace("%1", f"{students:,}")),
        QCoreApplication.translate("SchoolMapTooltip", "State: %1").replace(
            "%1", f'<span style="color:{STATE_COLOR_HEX[state]}">&#9679;</span> {escape(state_name(state))}'
        ),
    ]
    return "<br/>".join(rows)
