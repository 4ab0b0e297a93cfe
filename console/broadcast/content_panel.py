"""The content picker of the compose page: bundled clips, uploads, text-to-speech, preview.

The library (bundled catalog and stored clips) loads on the database worker; an upload is decoded
and checked on the broadcast worker with a progress bar, then stored on the database worker; speech
is looked up in the cache, rendered on the broadcast worker when new, then stored. Nothing here
blocks the GUI thread.

Signals: clipChanged() when the chosen clip changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.broadcast.background import BackgroundWork
from console.broadcast.jobs import DatabaseJobs, EngineContext
from console.broadcast.preview import ClipPreview
from console.broadcast.wording import format_duration, source_name, speech_refusal, upload_refusal
from services.broadcast.bundled import DEFAULT_CATALOG, BundledClip, load_bundled
from services.broadcast.library import (
    ClipRecord,
    bundled_records,
    cached_speech,
    clip_audio,
    list_stored,
    save_speech,
    save_upload,
)
from services.broadcast.school_format import SchoolClip
from services.broadcast.tts import DEFAULT_VOICE, TtsError, synthesize
from services.broadcast.uploads import ACCEPTED_SUFFIXES, UploadRejected, normalise_file

log = logging.getLogger(__name__)

SOURCES = ("", "bundled", "upload", "tts")
ClipRole = Qt.ItemDataRole.UserRole + 1


def _chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


class ContentPanel(QWidget):
    clipChanged = Signal()

    def __init__(
        self,
        db: DatabaseJobs,
        work: BackgroundWork,
        operator_name: Callable[[], str],
        preview_dir: Path,
        *,
        catalog: Path = DEFAULT_CATALOG,
        preview: ClipPreview | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("broadcastContent")
        self._db = db
        self._work = work
        self._operator_name = operator_name
        self._preview_dir = preview_dir
        self._catalog = catalog
        self.preview = preview or ClipPreview(parent=self)
        self.preview.playingChanged.connect(lambda _p: self._update_preview_button())
        self._bundled: dict[str, BundledClip] = {}
        self._stored_clips: list[ClipRecord] = []
        self._clips: list[ClipRecord] = []
        self._busy_upload = False
        self._busy_speech = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionTitle")
        self.source_filter = QComboBox(self)
        self.source_filter.setObjectName("clipSourceFilter")
        for source in SOURCES:
            self.source_filter.addItem("", source)
        self.source_filter.currentIndexChanged.connect(lambda _i: self._fill_table())
        head.addWidget(self.heading)
        head.addStretch(1)
        head.addWidget(self.source_filter)
        layout.addLayout(head)

        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("clipTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_selection)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.preview_button = QPushButton(self)
        self.preview_button.setObjectName("clipPreview")
        self.preview_button.clicked.connect(lambda _c=False: self.toggle_preview())
        self.upload_button = QPushButton(self)
        self.upload_button.setObjectName("clipUpload")
        self.upload_button.clicked.connect(lambda _c=False: self._choose_upload())
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.upload_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.upload_progress = QProgressBar(self)
        self.upload_progress.setObjectName("uploadProgress")
        self.upload_progress.setRange(0, 100)
        self.upload_progress.hide()
        layout.addWidget(self.upload_progress)

        self.speech_label = QLabel(self)
        self.speech_edit = QPlainTextEdit(self)
        self.speech_edit.setObjectName("speechText")
        self.speech_edit.setFixedHeight(64)
        self.speak_button = QPushButton(self)
        self.speak_button.setObjectName("speechSynthesize")
        self.speak_button.clicked.connect(lambda _c=False: self.synthesize())
        speech_row = QHBoxLayout()
        speech_row.addWidget(self.speech_edit, 1)
        speech_row.addWidget(self.speak_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.speech_label)
        layout.addLayout(speech_row)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("contentStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.retranslate_ui()

    # --- the library -----------------------------------------------------------------------------
    def reload(self, select: str = "") -> None:
        """Load the bundled catalog and the stored clips (database worker)."""
        catalog = self._catalog

        def job(ctx: EngineContext) -> tuple[list[BundledClip], list[ClipRecord]]:
            return load_bundled(catalog), list_stored(ctx.engine)

        self._db.submit(
            job,
            on_done=lambda result: self._on_library(result, select),
            on_error=lambda error: self._show_error(
                self.tr("The clip library could not be loaded: %1"), error
            ),
        )

    def _on_library(self, result: tuple[list[BundledClip], list[ClipRecord]], select: str) -> None:
        bundled, stored = result
        self._bundled = {c.sha256: c for c in bundled}
        self._stored_clips = stored
        self._fill_table(select or self.current_sha256())

    def clips(self) -> list[ClipRecord]:
        return list(self._clips)

    def _fill_table(self, select: str = "") -> None:
        select = select or self.current_sha256()
        # Bundled titles follow the interface language, so they are made here, not at load.
        self._clips = [*bundled_records(self._bundled.values(), _chinese()), *self._stored_clips]
        wanted = self.source_filter.currentData() or ""
        shown = [c for c in self._clips if not wanted or c.source == wanted]
        self.table.blockSignals(True)
        self.table.setRowCount(len(shown))
        selected_row = -1
        for row, clip in enumerate(shown):
            title = QTableWidgetItem(clip.title)
            title.setData(ClipRole, clip)
            title.setToolTip(clip.text or clip.title)
            self.table.setItem(row, 0, title)
            self.table.setItem(row, 1, QTableWidgetItem(source_name(clip.source)))
            length = QTableWidgetItem(format_duration(clip.duration_s))
            length.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 2, length)
            if clip.sha256 == select:
                selected_row = row
        self.table.clearSelection()
        if selected_row >= 0:
            self.table.selectRow(selected_row)
        self.table.blockSignals(False)
        self._on_selection()

    def current_clip(self) -> ClipRecord | None:
        items = self.table.selectedItems()
        if not items:
            return None
        clip = self.table.item(items[0].row(), 0).data(ClipRole)
        return clip if isinstance(clip, ClipRecord) else None

    def current_sha256(self) -> str:
        clip = self.current_clip()
        return clip.sha256 if clip is not None else ""

    def select_clip(self, sha256: str) -> bool:
        for row in range(self.table.rowCount()):
            clip = self.table.item(row, 0).data(ClipRole)
            if isinstance(clip, ClipRecord) and clip.sha256 == sha256:
                self.table.selectRow(row)
                return True
        return False

    def _on_selection(self) -> None:
        if self.preview.playing_path is not None:
            self.preview.stop()
        self._update_preview_button()
        self.clipChanged.emit()

    # --- upload ----------------------------------------------------------------------------------
    def _choose_upload(self) -> None:
        patterns = " ".join(f"*{s}" for s in ACCEPTED_SUFFIXES)
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Upload a clip"), "", self.tr("Audio files (%1)").replace("%1", patterns)
        )
        if path:
            self.upload(Path(path))

    def upload(self, path: Path) -> None:
        """Check and convert *path* off the GUI thread, store it, and select it."""
        if self._busy_upload:
            return
        self._busy_upload = True
        self.upload_button.setEnabled(False)
        self.upload_progress.setValue(0)
        self.upload_progress.show()
        self.status_label.setText(self.tr("Checking %1…").replace("%1", path.name))
        self._work.submit(
            lambda progress: normalise_file(path, progress),
            on_done=lambda clip: self._store_upload(path, clip),
            on_error=self._upload_failed,
            on_progress=lambda fraction: self.upload_progress.setValue(int(fraction * 100)),
        )

    def _store_upload(self, path: Path, clip: SchoolClip) -> None:
        operator = self._operator_name()
        self._db.submit(
            lambda ctx: save_upload(
                ctx.engine, clip, title=path.stem, original_name=path.name, operator=operator
            ),
            on_done=self._stored,
            on_error=self._upload_failed,
        )

    def _upload_failed(self, error: BaseException) -> None:
        self._end_upload()
        if isinstance(error, UploadRejected):
            self.status_label.setText(
                self.tr("Upload refused: %1").replace("%1", upload_refusal(error.code, str(error)))
            )
        else:
            self._show_error(self.tr("The upload failed: %1"), error)

    def _stored(self, record: ClipRecord) -> None:
        self._end_upload()
        self.status_label.setText(
            self.tr("Stored “%1” (%2).")
            .replace("%1", record.title)
            .replace("%2", format_duration(record.duration_s))
        )
        self.reload(select=record.sha256)

    def _end_upload(self) -> None:
        self._busy_upload = False
        self.upload_button.setEnabled(True)
        self.upload_progress.hide()

    # --- speech ----------------------------------------------------------------------------------
    def synthesize(self) -> None:
        """Speak the typed text: from the cache when said before, else rendered off the GUI thread."""
        text = self.speech_edit.toPlainText()
        if self._busy_speech:
            return
        if not text.strip():
            self.status_label.setText(speech_refusal("empty", ""))
            return
        self._busy_speech = True
        self.speak_button.setEnabled(False)
        self.status_label.setText(self.tr("Synthesizing speech…"))
        self._db.submit(
            lambda ctx: cached_speech(ctx.engine, text, DEFAULT_VOICE),
            on_done=lambda cached: self._speech_cached(text, cached),
            on_error=self._speech_failed,
        )

    def _speech_cached(self, text: str, cached: ClipRecord | None) -> None:
        if cached is not None:
            self._speech_done(cached)
            return
        self._work.submit(
            lambda _progress: synthesize(text, DEFAULT_VOICE),
            on_done=lambda clip: self._store_speech(text, clip),
            on_error=self._speech_failed,
        )

    def _store_speech(self, text: str, clip: SchoolClip) -> None:
        operator = self._operator_name()
        self._db.submit(
            lambda ctx: save_speech(ctx.engine, text, clip, operator=operator),
            on_done=self._speech_done,
            on_error=self._speech_failed,
        )

    def _speech_done(self, record: ClipRecord) -> None:
        self._busy_speech = False
        self.speak_button.setEnabled(True)
        self.status_label.setText(
            self.tr("Speech ready (%1).").replace("%1", format_duration(record.duration_s))
        )
        self.reload(select=record.sha256)

    def _speech_failed(self, error: BaseException) -> None:
        self._busy_speech = False
        self.speak_button.setEnabled(True)
        if isinstance(error, TtsError):
            self.status_label.setText(speech_refusal(error.code, str(error)))
        else:
            self._show_error(self.tr("Speech could not be made: %1"), error)

    # --- preview ---------------------------------------------------------------------------------
    def toggle_preview(self) -> None:
        if self.preview.playing_path is not None:
            self.preview.stop()
            self._update_preview_button()
            return
        clip = self.current_clip()
        if clip is None or not self.preview.check():
            self._update_preview_button()
            return
        bundled = self._bundled.get(clip.sha256)
        if bundled is not None:
            self.preview.play(bundled.path)
            self._update_preview_button()
            return
        folder = self._preview_dir
        sha = clip.sha256

        def job(ctx: EngineContext) -> Path | None:
            path = folder / f"{sha}.wav"
            if not path.exists():
                wav = clip_audio(ctx.engine, sha)
                if wav is None:
                    return None
                folder.mkdir(parents=True, exist_ok=True)
                part = path.with_suffix(".part")
                part.write_bytes(wav)
                part.replace(path)
            return path

        self._db.submit(
            job,
            on_done=self._preview_ready,
            on_error=lambda error: self._show_error(self.tr("The preview could not be prepared: %1"), error),
        )

    def _preview_ready(self, path: Path | None) -> None:
        if path is None:
            self.status_label.setText(self.tr("This clip is no longer in the library."))
            return
        self.preview.play(path)
        self._update_preview_button()

    def _update_preview_button(self) -> None:
        if self.preview._checked and not self.preview.available:
            self.preview_button.setText(self.tr("No audio device for preview"))
            self.preview_button.setEnabled(False)
            return
        playing = self.preview.playing_path is not None
        self.preview_button.setText(self.tr("Stop preview") if playing else self.tr("Preview"))
        self.preview_button.setEnabled(playing or self.current_clip() is not None)

    # --- text ------------------------------------------------------------------------------------
    def _show_error(self, template: str, error: BaseException) -> None:
        log.error("%s", template.replace("%1", str(error)), exc_info=error)
        self.status_label.setText(template.replace("%1", str(error)))

    def retranslate_ui(self) -> None:
        self.heading.setText(self.tr("Content"))
        names = {
            "": self.tr("All clips"),
            "bundled": self.tr("Bundled"),
            "upload": self.tr("Uploaded"),
            "tts": self.tr("Speech"),
        }
        for i in range(self.source_filter.count()):
            self.source_filter.setItemText(i, names[self.source_filter.itemData(i)])
        self.table.setHorizontalHeaderLabels([self.tr("Title"), self.tr("Kind"), self.tr("Length")])
        self.upload_button.setText(self.tr("Upload…"))
        self.speech_label.setText(self.tr("Text to speech (Mandarin):"))
        self.speech_edit.setPlaceholderText(self.tr("Type what the loudspeakers should say…"))
        self.speak_button.setText(self.tr("Synthesize"))
        self._fill_table()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
