"""Export of the audit record to CSV, page by page, written on a worker thread.

The pages come from the hub's `audit_search` (answered on the GUI thread, which only hands each
page on); a QThread writes them with the audit module's own `write_csv` (UTF-8 with a BOM, so
spreadsheets read the Chinese right). The file is written under a ".part" name and renamed when
complete, so a cancelled or failed export never leaves a file that looks whole.

The time range is fixed when the export starts ("until" becomes now when open-ended): entries
recorded during the export would otherwise shift the pages under it.

Signals (GUI thread): progress(int written, int total), finished(str path, int rows),
failed(str reason).
"""

from __future__ import annotations

import logging
import os
import queue
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from console.access.audit_model import parse_entries
from console.access.hub_requests import Requester, hub_error_text
from console.hub.bridge import HubReply
from console.worker_threads import TrackedThread
from services.access.audit import AuditRecord, write_csv

log = logging.getLogger(__name__)

EXPORT_PAGE_SIZE = 1000
WRITER_THREAD_NAME = "safecampus-audit-export"


class _Cancelled(Exception):
    pass


_END = "end"
_CANCEL = "cancel"


class CsvWriterThread(TrackedThread):
    """Writes the pages it is given, in order, to one CSV file. Signals: progress(int rows),
    written(str path, int rows), failed(str reason)."""

    progress = Signal(int)
    written = Signal(str, int)
    failed = Signal(str)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(WRITER_THREAD_NAME, parent)
        self._path = path
        self._part = path.with_name(path.name + ".part")
        self._pages: queue.SimpleQueue[Sequence[AuditRecord] | str] = queue.SimpleQueue()

    def add(self, records: Sequence[AuditRecord]) -> None:
        self._pages.put(list(records))

    def finish(self) -> None:
        self._pages.put(_END)

    def cancel(self) -> None:
        self._pages.put(_CANCEL)

    def _records(self) -> Iterator[AuditRecord]:
        count = 0
        while True:
            page = self._pages.get()
            if page == _END:
                return
            if page == _CANCEL:
                raise _Cancelled
            assert not isinstance(page, str)
            yield from page
            count += len(page)
            self.progress.emit(count)

    def run(self) -> None:
        try:
            with open(self._part, "w", encoding="utf-8", newline="") as stream:
                rows = write_csv(self._records(), stream)
            os.replace(self._part, self._path)
        except _Cancelled:
            self._remove_part()
            log.info("audit export to %s cancelled", self._path)
            return
        except OSError as exc:
            self._remove_part()
            log.error("audit export to %s failed: %s", self._path, exc)
            self.failed.emit(str(exc))
            return
        log.info("audit export: %d entries written to %s", rows, self._path)
        self.written.emit(str(self._path), rows)

    def _remove_part(self) -> None:
        try:
            self._part.unlink(missing_ok=True)
        except OSError as exc:
            log.error("could not remove the unfinished export %s: %s", self._part, exc)


class AuditExport(QObject):
    progress = Signal(int, int)
    finished = Signal(str, int)
    failed = Signal(str)

    def __init__(
        self,
        bridge: Requester,
        query: dict[str, Any],
        path: Path,
        *,
        page_size: int = EXPORT_PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._query = dict(query)
        if self._query.get("until") is None:
            self._query["until"] = time.time()
        self._path = path
        self._page_size = page_size
        self._offset = 0
        self._total = -1
        self._written = 0
        self._active = False
        self._writer: CsvWriterThread | None = None

    @property
    def is_active(self) -> bool:
        return self._active

    @property
    def path(self) -> Path:
        return self._path

    def start(self) -> None:
        writer = CsvWriterThread(self._path)
        writer.progress.connect(self._on_written_rows)
        writer.written.connect(self._on_written)
        writer.failed.connect(self._on_write_failed)
        self._writer = writer
        self._active = True
        writer.start()
        self._request_page()

    def cancel(self) -> None:
        """Stop asking for pages and drop the unfinished file."""
        if not self._active:
            return
        self._active = False
        if self._writer is not None:
            self._writer.cancel()

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Wait for the writer thread to end (after finish or cancel); True when it has."""
        writer = self._writer
        if writer is None:
            return True
        ended = writer.wait(timeout_ms)
        if ended:
            self._writer = None
            writer.deleteLater()
        else:
            log.error("the audit export thread did not end within %d ms", timeout_ms)
        return ended

    def shutdown(self) -> None:
        self.cancel()
        self.wait()

    # --- pages from the hub ------------------------------------------------------------------------
    def _request_page(self) -> None:
        args = {**self._query, "limit": self._page_size, "offset": self._offset}
        self._bridge.request("audit_search", args, self._on_page)

    def _on_page(self, reply: HubReply) -> None:
        if not self._active or self._writer is None:
            return
        if not reply.ok:
            self._fail(hub_error_text(reply.error_code, reply.error))
            return
        entries = parse_entries(reply.result.get("entries"))
        total = reply.result.get("total")
        if isinstance(total, int) and not isinstance(total, bool):
            self._total = total
        self._offset += len(entries)
        if entries:
            self._writer.add(entries)
        if entries and (self._total < 0 or self._offset < self._total):
            self._request_page()
        else:
            self._writer.finish()

    def _fail(self, reason: str) -> None:
        self.cancel()
        self.wait()
        self.failed.emit(reason)

    # --- back from the writer --------------------------------------------------------------------
    def _on_written_rows(self, rows: int) -> None:
        self._written = rows
        self.progress.emit(rows, self._total)

    def _on_written(self, path: str, rows: int) -> None:
        self._active = False
        self.wait()
        self.finished.emit(path, rows)

    def _on_write_failed(self, reason: str) -> None:
        self._active = False
        self.wait()
        self.failed.emit(reason)
