"""Importing schools and cameras from CSV: pick a file, import it on the database worker with a
progress dialog, then show the outcome (counts, or every row error and that nothing changed)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.db_bridge import DatabaseBridge, JobContext
from services.csv_import import (
    CsvImportError,
    ImportKind,
    ImportProgress,
    ImportResult,
    import_cameras,
    import_schools,
)

log = logging.getLogger(__name__)


def run_import(ctx: JobContext, kind: ImportKind, path: Path) -> ImportResult:
    """The import itself, on the database worker."""
    importer = import_schools if kind is ImportKind.SCHOOLS else import_cameras

    def report(progress: ImportProgress) -> None:
        # Two passes over the file (validate, then write): each is half of the bar.
        base = 0 if progress.stage == "validating" else 500
        ctx.progress(base + int(progress.fraction * 500), 1000, progress.stage)

    return importer(ctx.engine, path, progress=report)


class ImportResultDialog(QDialog):
    """The outcome of one import: counts when it worked, the row errors when it did not."""

    def __init__(
        self,
        kind: ImportKind,
        path: Path,
        result: ImportResult | None,
        failure: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importResultDialog")
        self.setMinimumWidth(560)
        what = self.tr("Schools") if kind is ImportKind.SCHOOLS else self.tr("Cameras")
        self.setWindowTitle(self.tr("Import %1").replace("%1", what))
        layout = QVBoxLayout(self)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.errors_table = QTableWidget(0, 3, self)
        self.errors_table.setHorizontalHeaderLabels([self.tr("Line"), self.tr("Column"), self.tr("Reason")])
        self.errors_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.errors_table.verticalHeader().setVisible(False)
        self.errors_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.errors_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.errors_table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

        lines = [self.tr("File: %1").replace("%1", str(path))]
        if result is None:
            lines.append(self.tr("The file cannot be imported: %1").replace("%1", failure))
            lines.append(self.tr("Nothing was changed in the database."))
            self.errors_table.hide()
        elif result.ok:
            lines.append(
                self.tr("Import finished: %1 rows read, %2 added, %3 updated.")
                .replace("%1", f"{result.rows_read:,}")
                .replace("%2", f"{result.inserted:,}")
                .replace("%3", f"{result.updated:,}")
            )
            if result.ignored_columns:
                lines.append(
                    self.tr("Columns not recognised and not imported: %1").replace(
                        "%1", ", ".join(result.ignored_columns)
                    )
                )
            self.errors_table.hide()
        else:
            lines.append(
                self.tr(
                    "The file has %1 errors. Nothing was changed in the database: "
                    "correct the file and import it again."
                ).replace("%1", f"{result.error_count:,}")
            )
            if result.more_errors:
                lines.append(
                    self.tr("The first %1 errors are listed.").replace("%1", f"{len(result.errors):,}")
                )
            self.errors_table.setRowCount(len(result.errors))
            for row, error in enumerate(result.errors):
                for column, text in enumerate((str(error.line), error.column, error.reason)):
                    self.errors_table.setItem(row, column, QTableWidgetItem(text))
        self.summary_label.setText("\n".join(lines))


class ImportController(QObject):
    """Runs imports for the File menu. Signals: imported(ImportResult) after a successful import
    (the map reloads on it); finished(ImportResult | None, str) after every attempt."""

    imported = Signal(object)
    finished = Signal(object, str)

    def __init__(self, bridge: DatabaseBridge, window: QWidget, *, show_dialogs: bool = True) -> None:
        super().__init__(window)
        self._bridge = bridge
        self._window = window
        self._show_dialogs = show_dialogs
        self.progress_dialog: QProgressDialog | None = None
        self.result_dialog: ImportResultDialog | None = None
        self.busy = False

    def start(self, kind_name: str) -> None:
        """Ask for a CSV file, then import it."""
        kind = ImportKind(kind_name)
        title = self.tr("Import schools") if kind is ImportKind.SCHOOLS else self.tr("Import cameras")
        path, _filter = QFileDialog.getOpenFileName(
            self._window, title, "", self.tr("CSV files (*.csv);;All files (*)")
        )
        if path:
            self.run(kind, Path(path))

    def run(self, kind: ImportKind, path: Path) -> None:
        """Import *path* on the database worker with a progress dialog."""
        if self.busy:
            return
        self.busy = True
        log.info("importing %s from %s", kind.value, path)
        dialog = QProgressDialog(self.tr("Importing %1…").replace("%1", path.name), "", 0, 1000, self._window)
        dialog.setObjectName("importProgressDialog")
        dialog.setWindowTitle(self.tr("Import"))
        # One transaction: the import is all or nothing, so there is no half-way cancel.
        dialog.setCancelButton(None)
        # Not modal: a modal QProgressDialog runs the event loop inside setValue(), so the import's
        # result could close and delete it while it is still on the stack. The operator may keep
        # working while the worker imports; `busy` refuses a second import meanwhile.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        self.progress_dialog = dialog
        self._bridge.submit(
            lambda ctx: run_import(ctx, kind, path),
            on_done=lambda result: self._done(kind, path, result, ""),
            on_error=lambda error: self._failed(kind, path, error),
            on_progress=lambda done, total, _stage: self._progress(dialog, done, total),
        )

    def _progress(self, dialog: QProgressDialog, done: int, total: int) -> None:
        if self.progress_dialog is dialog:  # a late report after the result finds no dialog
            dialog.setValue(min(done, total))

    def _failed(self, kind: ImportKind, path: Path, error: BaseException) -> None:
        if isinstance(error, CsvImportError):
            log.error("import of %s from %s refused: %s", kind.value, path, error)
        else:
            log.error("import of %s from %s failed", kind.value, path, exc_info=error)
        self._done(kind, path, None, str(error) or type(error).__name__)

    def _done(self, kind: ImportKind, path: Path, result: ImportResult | None, failure: str) -> None:
        self.busy = False
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        if result is not None:
            log.info(
                "import of %s from %s: %d read, %d inserted, %d updated, %d errors",
                kind.value,
                path,
                result.rows_read,
                result.inserted,
                result.updated,
                result.error_count,
            )
        self.result_dialog = ImportResultDialog(kind, path, result, failure, self._window)
        if self._show_dialogs:
            self.result_dialog.open()
        self.finished.emit(result, failure)
        if result is not None and result.ok:
            self.imported.emit(result)
