"""The incident report as a PDF: school, type, times, people, the full timeline, the checklist with
reasons, notes, actions and the outcome.

`report_html` builds the document (plain HTML, testable without rendering); `ReportWriter`
renders it with QTextDocument into a QPdfWriter on a worker thread, because laying out a long
timeline with CJK fonts takes long enough to be felt on the GUI thread. The document uses the
console's CJK font so Chinese renders in the PDF as on screen.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QObject, Signal
from PySide6.QtGui import QFont, QFontDatabase, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from console.alarms.alarm_types import AlarmTypeBook
from console.alarms.incident_data import STEP_DONE, STEP_SKIPPED, Timeline
from console.alarms.incident_panel import timeline_lines
from console.alarms.wording import action_name, escalation_name, state_name
from console.theme import CJK_FONT_FAMILIES

log = logging.getLogger(__name__)

REPORT_THREAD_NAME = "safecampus-incident-report"


def _when(at: float | None) -> str:
    return "—" if at is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _e(text: object) -> str:
    return html.escape(str(text))


def report_html(timeline: Timeline, types: AlarmTypeBook, school_name: str, generated_by: str) -> str:
    """The report as HTML (in the interface language)."""
    incident = timeline.incident
    style = types.style(incident.alarm_type)
    priority_word = QCoreApplication.translate("IncidentReport", "priority")
    last_word = QCoreApplication.translate("IncidentReport", "last")
    incident_word = QCoreApplication.translate("IncidentReport", "Incident")
    generated_word = QCoreApplication.translate("IncidentReport", "Generated")
    by_word = QCoreApplication.translate("IncidentReport", "by")
    time_word = QCoreApplication.translate("IncidentReport", "Time")
    what_word = QCoreApplication.translate("IncidentReport", "What happened")
    rows = [
        (QCoreApplication.translate("IncidentReport", "School"), f"{school_name} ({incident.school})"),
        (
            QCoreApplication.translate("IncidentReport", "Alarm type"),
            f"{style.name()} · {priority_word} {incident.priority}",
        ),
        (QCoreApplication.translate("IncidentReport", "Location"), incident.location or "—"),
        (QCoreApplication.translate("IncidentReport", "State"), state_name(incident)),
        (QCoreApplication.translate("IncidentReport", "Opened"), _when(incident.opened_at)),
        (
            QCoreApplication.translate("IncidentReport", "Alarms"),
            f"{incident.alarm_count} ({last_word} {_when(incident.last_alarm_at)})",
        ),
        (
            QCoreApplication.translate("IncidentReport", "Acknowledged"),
            f"{incident.acknowledged_by or '—'} {_when(incident.acknowledged_at)}",
        ),
        (QCoreApplication.translate("IncidentReport", "Owner"), incident.owner or "—"),
        (
            QCoreApplication.translate("IncidentReport", "Resolved"),
            f"{incident.resolved_by or '—'} {_when(incident.resolved_at)}",
        ),
        (QCoreApplication.translate("IncidentReport", "Outcome"), incident.outcome or "—"),
        (
            QCoreApplication.translate("IncidentReport", "False alarm"),
            QCoreApplication.translate("IncidentReport", "yes")
            if incident.false_alarm
            else QCoreApplication.translate("IncidentReport", "no"),
        ),
    ]
    if incident.escalation:
        rows.append(
            (QCoreApplication.translate("IncidentReport", "Escalation"), escalation_name(incident.escalation))
        )
    parts = [
        "<html><body>",
        f"<h1>{_e(QCoreApplication.translate('IncidentReport', 'Incident report'))}</h1>",
        f"<p>{_e(style.name())} · {_e(school_name)} · {_e(_when(incident.opened_at))}<br/>"
        f"<small>{_e(incident_word)} {_e(incident.incident_id)} · {_e(generated_word)} "
        f"{_e(_when(time.time()))} {_e(by_word)} {_e(generated_by)}</small></p>",
        '<table border="1" cellspacing="0" cellpadding="4" width="100%">',
    ]
    parts += [f"<tr><th align='left' width='25%'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows]
    parts.append("</table>")

    parts.append(f"<h2>{_e(QCoreApplication.translate('IncidentReport', 'Timeline'))}</h2>")
    parts.append('<table border="1" cellspacing="0" cellpadding="3" width="100%">')
    parts.append(f"<tr><th width='25%'>{_e(time_word)}</th><th>{_e(what_word)}</th></tr>")
    for at, text in timeline_lines(timeline):
        parts.append(f"<tr><td>{_e(_when(at))}</td><td>{_e(text)}</td></tr>")
    parts.append("</table>")

    parts.append(f"<h2>{_e(QCoreApplication.translate('IncidentReport', 'Procedure'))}</h2><ol>")
    for step in incident.steps:
        text = style.step_text(step.key)
        if step.state == STEP_DONE:
            status = (
                QCoreApplication.translate("IncidentReport", "done by %1 at %2")
                .replace("%1", step.by)
                .replace("%2", _when(step.at))
            )
        elif step.state == STEP_SKIPPED:
            status = (
                QCoreApplication.translate("IncidentReport", "skipped by %1 at %2, reason: %3")
                .replace("%1", step.by).replace("%2", _when(step.at)).replace("%3", step.reason)
            )  # fmt: skip
        else:
            status = QCoreApplication.translate("IncidentReport", "not done")
        parts.append(f"<li>{_e(text)}: {_e(status)}</li>")
    parts.append("</ol>")

    parts.append(f"<h2>{_e(QCoreApplication.translate('IncidentReport', 'Actions'))}</h2><ul>")
    for action in incident.actions or ():
        detail = f" ({action.detail})" if action.detail else ""
        parts.append(
            f"<li>{_e(_when(action.at))} {_e(action.by)}: {_e(action_name(action.kind))}{_e(detail)}</li>"
        )
    if not incident.actions:
        parts.append(f"<li>{_e(QCoreApplication.translate('IncidentReport', 'none'))}</li>")
    parts.append("</ul>")

    parts.append(f"<h2>{_e(QCoreApplication.translate('IncidentReport', 'Notes'))}</h2><ul>")
    for note in incident.notes or ():
        parts.append(f"<li>{_e(_when(note.at))} {_e(note.by)}: {_e(note.text)}</li>")
    if not incident.notes:
        parts.append(f"<li>{_e(QCoreApplication.translate('IncidentReport', 'none'))}</li>")
    parts.append("</ul></body></html>")
    return "\n".join(parts)


def report_font() -> QFont:
    available = set(QFontDatabase.families())
    for family in CJK_FONT_FAMILIES:
        if family in available:
            return QFont(family, 10)
    return QFont()


def render_pdf(document_html: str, path: Path) -> Path:
    """Lay out *document_html* on A4 pages and write the PDF (any thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    writer = QPdfWriter(str(temporary))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle("SafeCampus incident report")
    writer.setCreator("SafeCampus")
    document = QTextDocument()
    document.setDefaultFont(report_font())
    document.setHtml(document_html)
    document.print_(writer)
    del writer  # closes the file
    if not temporary.exists() or temporary.stat().st_size == 0:
        raise OSError(f"the PDF {path} was not written")
    temporary.replace(path)
    return path


class ReportWriter(QObject):
    """Renders reports off the GUI thread. Signals: written(str path), failed(str path, str error)."""

    written = Signal(str)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threads: list[threading.Thread] = []

    def write(
        self, timeline: Timeline, types: AlarmTypeBook, school_name: str, generated_by: str, path: Path
    ) -> None:
        document_html = report_html(
            timeline, types, school_name, generated_by
        )  # translated here, on the GUI thread
        self._start(lambda: render_pdf(document_html, path), path)

    def _start(self, job: Callable[[], Path], path: Path) -> None:
        def work() -> None:
            try:
                job()
            except Exception as exc:  # reported to the operator, logged, the console keeps running
                log.error("the incident report %s could not be written: %s", path, exc)
                self.failed.emit(str(path), str(exc))
                return
            log.info("incident report written: %s", path)
            self.written.emit(str(path))

        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(target=work, name=REPORT_THREAD_NAME, daemon=True)
        self._threads.append(thread)
        thread.start()

    def wait(self, timeout_s: float = 30.0) -> None:
        """Wait for the reports being written (at shutdown)."""
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = [t for t in self._threads if t.is_alive()]
