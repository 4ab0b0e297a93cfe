"""The audit page: filters, paging, verification and the CSV export (a fake hub, then the real one)."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from PySide6.QtCore import QDateTime

from console.access.audit_export import WRITER_THREAD_NAME
from console.access.audit_page import PAGE_SIZE, AuditPage
from tests.console.access.fake_bridge import FakeBridge
from tests.console.access.live_hub import ADMIN, ADMIN_PASSWORD, log_in

pytestmark = pytest.mark.gui

T0 = 1_760_000_000.0


def entry(seq: int, **changes) -> dict:
    record = {
        "seq": seq,
        "at": T0 + seq,
        "operator": "wangwei",
        "role": "dispatcher",
        "console": "指挥中心 1",
        "action": "send_command",
        "target": f"school-{seq:04d}",
        "result": "ok",
        "detail": {"command": "ping", "schools": 1},
        "prev_mac": f"{seq - 1:064d}",
        "mac": f"{seq:064d}",
    }
    return {**record, **changes}


@pytest.fixture
def page(qtbot):
    bridge = FakeBridge()
    made = AuditPage(bridge)
    made.resize(1300, 600)
    qtbot.addWidget(made)
    made.show()
    made.bridge = bridge  # type: ignore[attr-defined]
    yield made
    made.shutdown()
    made.close()
    assert not [t for t in threading.enumerate() if t.name == WRITER_THREAD_NAME]


def test_search_sends_the_filters_and_fills_the_table(page):
    page.operator_edit.setText(" wangwei ")
    page.action_combo.setEditText("send_command")
    page.result_combo.setCurrentIndex(page.result_combo.findData("refused"))
    page.text_edit.setText("school-0002")
    page.until_now_check.setChecked(False)
    page.since_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(T0)))
    page.until_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(T0) + 3600))
    page.search()
    args = page.bridge.pending("audit_search")[0].args
    assert args["operator"] == "wangwei" and args["action"] == "send_command"
    assert args["result"] == "refused" and args["text"] == "school-0002"
    assert args["limit"] == PAGE_SIZE and args["offset"] == 0
    assert args["until"] - args["since"] == pytest.approx(3600 + 59.999)
    assert not page.search_button.isEnabled()
    page.bridge.answer(
        "audit_search", {"entries": [entry(2, result="refused", detail={"why": "forbidden"})], "total": 1}
    )
    assert page.search_button.isEnabled()
    model = page.model
    assert model.rowCount() == 1
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row[1:7] == ["wangwei", "Dispatcher", "指挥中心 1", "send_command", "school-0002", "Refused"]
    assert row[7] == "why=forbidden"
    assert row[0] == QDateTime.fromSecsSinceEpoch(int(T0) + 2).toString("yyyy-MM-dd HH:mm:ss")
    assert page.page_label.text() == "1–1 of 1"


def test_until_now_sends_no_end_and_an_inverted_range_is_refused(page):
    page.search()
    assert page.bridge.pending("audit_search")[0].args["until"] is None
    page.bridge.answer("audit_search", {"entries": [], "total": 0})
    assert page.message_label.text() == "No entry matches."
    page.until_now_check.setChecked(False)
    page.until_edit.setDateTime(page.since_edit.dateTime().addSecs(-3600))
    page.search()
    assert len(page.bridge.sent) == 1
    assert page.message_label.text() == "The end of the time range is before its start."


def test_paging_moves_by_one_page_and_a_stale_answer_is_ignored(page):
    page.search()
    page.bridge.answer("audit_search", {"entries": [entry(i) for i in range(250, 150, -1)], "total": 250})
    assert page.page_label.text().replace(",", "") == "1–100 of 250"
    assert page.next_button.isEnabled() and not page.previous_button.isEnabled()
    page.next_page()
    page.next_page()  # the second click overtakes the first
    offsets = [r.args["offset"] for r in page.bridge.pending("audit_search")]
    assert offsets == [100, 100]
    page.bridge.answer("audit_search", {"entries": [entry(1)], "total": 250})  # stale
    assert page.model.rowCount() == 100
    page.bridge.answer("audit_search", {"entries": [entry(i) for i in range(150, 50, -1)], "total": 250})
    assert page.page_label.text().replace(",", "") == "101–200 of 250"
    page.next_page()
    page.bridge.answer("audit_search", {"entries": [entry(i) for i in range(50, 0, -1)], "total": 250})
    assert page.page_label.text().replace(",", "") == "201–250 of 250"
    assert not page.next_button.isEnabled()
    page.previous_page()
    assert page.bridge.pending("audit_search")[0].args["offset"] == 100


def test_a_failed_search_says_why(page):
    page.search()
    page.bridge.answer("audit_search", ok=False, error_code="forbidden", error="read_audit needed")
    assert (
        page.message_label.text() == "The search failed: Your role does not allow this. (read_audit needed)"
    )


def test_verify_shows_an_intact_record(page):
    page.verify()
    assert not page.verify_button.isEnabled()
    page.bridge.answer(
        "audit_verify", {"ok": True, "checked": 1200, "head_seq": 1200, "first_bad_seq": None, "problem": ""}
    )
    text = page.verify_label.text().replace("1,200 ", "1200 ")  # with or without a group separator
    assert text == "Record intact: 1200 entries checked, up to entry #1200."
    assert page.verify_button.isEnabled()


@pytest.mark.expect_log(r"the audit record failed verification")
def test_verify_shows_the_first_bad_entry(page, caplog):
    page.verify()
    page.bridge.answer(
        "audit_verify",
        {"ok": False, "checked": 41, "head_seq": 80, "first_bad_seq": 42, "problem": "MAC mismatch"},
    )
    assert page.verify_label.text() == "Record damaged from entry #42: MAC mismatch"
    assert "first bad entry 42" in caplog.text


def test_export_pages_through_the_search_and_writes_utf8_csv_with_bom(page, qtbot, tmp_path):
    target = tmp_path / "audit.csv"
    page.choose_export_path = lambda: str(target)
    page.operator_edit.setText("wangwei")
    page.export_button.click()
    export = page.export
    assert export is not None and export.is_active
    assert page.export_progress.isVisible() and not page.export_button.isEnabled()
    first = page.bridge.pending("audit_search")[0].args
    assert first["operator"] == "wangwei" and first["until"] is not None and first["offset"] == 0
    page_size = first["limit"]
    total = page_size + 3
    page.bridge.answer(
        "audit_search",
        {"entries": [entry(i, target="=cmd|' /C calc'!A0") for i in range(1, page_size + 1)], "total": total},
    )
    second = page.bridge.pending("audit_search")[0].args
    assert second["offset"] == page_size and second["until"] == first["until"]
    with qtbot.waitSignal(export.finished, timeout=5000) as got:
        page.bridge.answer(
            "audit_search", {"entries": [entry(i) for i in range(page_size + 1, total + 1)], "total": total}
        )
    assert got.args == [str(target), total]
    assert page.message_label.text().replace(",", "") == f"Exported {total} entries to {target}."
    assert not page.export_progress.isVisible() and page.export_button.isEnabled()
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "seq",
        "time",
        "operator",
        "role",
        "console",
        "action",
        "target",
        "result",
        "detail",
        "mac",
    ]
    assert len(rows) == total + 1
    assert rows[1][0] == "1" and rows[1][4] == "指挥中心 1"
    assert rows[1][6].startswith("'=")  # a spreadsheet must not run it as a formula
    assert rows[1][8] == '{"command":"ping","schools":1}'
    assert not (tmp_path / "audit.csv.part").exists()


def test_a_failed_or_cancelled_export_leaves_no_file(page, qtbot, tmp_path):
    target = tmp_path / "audit.csv"
    export = page.start_export(target)
    page_size = page.bridge.pending("audit_search")[0].args["limit"]
    page.bridge.answer(
        "audit_search", {"entries": [entry(i) for i in range(1, page_size + 1)], "total": 5000}
    )
    with qtbot.waitSignal(export.failed, timeout=5000) as got:
        page.bridge.answer("audit_search", ok=False, error_code="not_connected", error="lost")
    assert "not connected" in got.args[0]
    assert page.message_label.text().startswith("The export failed: ")
    assert not target.exists() and not (tmp_path / "audit.csv.part").exists()
    again = page.start_export(target)
    assert again is not None and again is not export
    page.cancel_export()
    assert page.message_label.text() == "Export cancelled; no file was written."
    assert not target.exists() and not (tmp_path / "audit.csv.part").exists()
    assert page.export_button.isEnabled()


# --- against the real hub -----------------------------------------------------------------------


def test_audit_page_finds_logins_verifies_and_exports_on_the_real_hub(qtbot, hub_bridge, tmp_path):
    log_in(qtbot, hub_bridge, ADMIN, ADMIN_PASSWORD)
    page = AuditPage(hub_bridge)
    qtbot.addWidget(page)
    page.action_combo.setEditText("login")
    page.search()
    qtbot.waitUntil(lambda: page.search_button.isEnabled(), timeout=10_000)
    assert page.model.rowCount() >= 1, page.message_label.text()
    first = page.model.entry(0)
    assert (first.operator, first.action, first.result) == (ADMIN, "login", "ok")

    page.verify()
    qtbot.waitUntil(lambda: page.verify_button.isEnabled(), timeout=10_000)
    assert page.verify_label.text().startswith("Record intact: "), page.verify_label.text()

    target = tmp_path / "audit.csv"
    page.action_combo.setEditText("")
    export = page.start_export(target)
    with qtbot.waitSignal(export.finished, timeout=10_000) as got:
        pass
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert got.args[1] == len(rows) - 1 >= 1
    assert any(r[2] == ADMIN and r[5] == "login" for r in rows[1:])
    page.shutdown()
