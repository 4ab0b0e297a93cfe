"""CSV import from the File menu's worker path: the map reloads on success, nothing changes on
errors, and the result dialog says which."""

from __future__ import annotations

import pytest

from services.csv_import import ImportKind

pytestmark = pytest.mark.gui

HEADER = "code,name,district,type,longitude,latitude,students\n"


def _import(console, qtbot, path):
    controller = console.imports
    with qtbot.waitSignal(controller.finished, timeout=30_000) as blocker:
        controller.run(ImportKind.SCHOOLS, path)
        assert controller.progress_dialog is not None
    dialog = controller.result_dialog
    assert dialog is not None
    return blocker.args, dialog


def test_import_of_good_schools_updates_the_map(running_console, qtbot, tmp_path):
    page = running_console.map_page
    before = page.school_count()
    csv = tmp_path / "schools.csv"
    csv.write_text(
        HEADER
        + "T-0001,测试第一小学,370202,primary,120.38,36.07,800\n"
        + "T-0002,测试幼儿园,市北区,幼儿园,120.37,36.09,120\n",
        encoding="utf-8",
    )
    with qtbot.waitSignal(running_console.imports.imported, timeout=30_000):
        (result, failure), dialog = _import(running_console, qtbot, csv)
    assert failure == ""
    assert result.ok and result.inserted == 2
    assert "2 added" in dialog.summary_label.text()
    assert not dialog.errors_table.isVisibleTo(dialog)
    dialog.close()
    qtbot.waitUntil(lambda: page.school_count() == before + 2, timeout=10_000)
    assert page.search("T-0002")[0].name == "测试幼儿园"
    assert page.map.marker_layer.drawn_count() == before + 2
    assert f"{before + 2} schools" in running_console.window.status.database_label.text()


@pytest.mark.expect_log(r"CSV import of schools from bad.csv failed: 1 errors, nothing was written")
def test_import_with_row_errors_lists_them_and_changes_nothing(running_console, qtbot, tmp_path):
    page = running_console.map_page
    before = page.school_count()
    csv = tmp_path / "bad.csv"
    csv.write_text(HEADER + "T-0003,坏数据小学,370202,primary,not-a-number,36.07,10\n", encoding="utf-8")
    (result, _failure), dialog = _import(running_console, qtbot, csv)
    assert not result.ok
    assert "Nothing was changed" in dialog.summary_label.text()
    assert dialog.errors_table.rowCount() == len(result.errors) >= 1
    assert dialog.errors_table.item(0, 0).text() == "2"
    assert dialog.errors_table.item(0, 1).text() == "longitude"
    dialog.close()
    assert page.school_count() == before


@pytest.mark.expect_log(r"import of schools from .* refused")
def test_unusable_file_is_refused_with_the_reason(running_console, qtbot, tmp_path):
    (result, failure), dialog = _import(running_console, qtbot, tmp_path / "missing.csv")
    assert result is None
    assert failure
    assert "cannot be imported" in dialog.summary_label.text()
    assert "Nothing was changed" in dialog.summary_label.text()
    dialog.close()
