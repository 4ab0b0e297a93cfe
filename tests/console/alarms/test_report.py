"""The incident report: a PDF with the whole timeline, the checklist with reasons, notes and
actions; written off the GUI thread; Chinese text renders with the CJK font."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument

from console.alarms.alarm_types import AlarmTypeBook, AlarmTypeStyle, StepText
from console.alarms.incident_data import timeline_from_wire
from console.alarms.report import ReportWriter, report_html
from tests.console.alarms.conftest import incident_dict

pytestmark = pytest.mark.gui

T = 1_700_000_000.0


def timeline():
    incident = incident_dict(
        incident_id="inc-report", school="QD0007", alarm_type="fire", priority=1, state="resolved", now=T,
        acknowledged_by="wang", acknowledged_at=T + 20, owner="wang", resolved_by="wang", resolved_at=T + 600,
        outcome="厨房油烟误报，已复位", false_alarm=True,
        steps=[{"key": "confirm_on_camera", "state": "done", "by": "wang", "at": T + 30},
               {"key": "call_119", "state": "skipped", "reason": "现场确认无火情", "by": "wang",
                "at": T + 60}],
        notes=[{"by": "wang", "at": T + 90, "text": "校长已到场"}],
        actions=[{"kind": "call_principal", "by": "wang", "at": T + 40, "detail": ""}],
    )  # fmt: skip
    return timeline_from_wire(
        {
            "incident": incident,
            "alarms": [
                {"event_id": "e1", "occurred_at": T, "received_at": T + 0.1, "source": "fire-panel-1",
                 "location": "食堂", "details": {"type": "fire"}},
                {"event_id": "e2", "occurred_at": T + 8, "received_at": T + 8.1, "source": "fire-panel-1",
                 "location": "食堂", "details": {"type": "fire"}},
            ],
            "entries": [
                {"at": T + 20, "by": "wang", "what": "acknowledged", "detail": ""},
                {"at": T + 25, "by": "wang", "what": "taken", "detail": ""},
                {"at": T + 600, "by": "wang", "what": "resolved", "detail": "false alarm"},
            ],
        }
    )  # fmt: skip


TYPES = AlarmTypeBook(
    {
        "fire": AlarmTypeStyle(
            "fire", 1, "#ff3b30", "火", "fire", "火警", "Fire",
            (StepText("confirm_on_camera", "通过摄像机确认火情", "Confirm on camera"),
             StepText("call_119", "拨打119", "Call 119")),
        )
    }
)  # fmt: skip


def test_report_text_has_the_timeline_checklist_notes_and_outcome(qapp):
    html = report_html(timeline(), TYPES, "青岛市实验小学", "王伟")
    document = QTextDocument()
    document.setHtml(html)
    text = document.toPlainText()
    for expected in ("青岛市实验小学 (QD0007)", "Alarm from fire-panel-1: 食堂", "Acknowledged by wang",
                     "Taken by wang", "Resolved by wang: false alarm", "Confirm on camera: done by wang",
                     "Call 119: skipped by wang", "现场确认无火情", "校长已到场", "Called the principal",
                     "厨房油烟误报，已复位"):  # fmt: skip
        assert expected in text, expected
    # The timeline is in time order: both alarms, then the acknowledgement.
    assert text.index("fire-panel-1") < text.index("Acknowledged by wang") < text.index("Resolved by wang")
    assert text.count("Alarm from fire-panel-1") == 2


def test_report_pdf_is_written_off_the_gui_thread(qtbot, tmp_path):
    writer = ReportWriter()
    path = tmp_path / "reports" / "inc-report.pdf"
    with qtbot.waitSignal(writer.written, timeout=30_000) as signal:
        writer.write(timeline(), TYPES, "青岛市实验小学", "王伟", path)
    writer.wait()
    assert signal.args == [str(path)]
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 2000
    # The CJK font is embedded, so the Chinese text renders in any PDF reader.
    assert b"CJK" in data or b"WenQuanYi" in data or b"SourceHan" in data


@pytest.mark.expect_log(r"could not be written")
def test_unwritable_report_fails_cleanly(qtbot, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    writer = ReportWriter()
    with qtbot.waitSignal(writer.failed, timeout=30_000) as signal:
        writer.write(timeline(), TYPES, "School", "wang", blocker / "report.pdf")
    writer.wait()
    assert signal.args[0].endswith("report.pdf")
    assert not (blocker / "report.pdf").exists()
