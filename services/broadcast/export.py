"""CSV export of a broadcast's per-school delivery (UTF-8 with a BOM, so spreadsheets read the
Chinese names right). Written under a ".part" name and renamed when complete, so a failed export
never leaves a file that looks whole."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from services.broadcast.delivery import SchoolDelivery

HEADER = ("school_code", "school_name", "state", "reason", "sent_at", "playing_at", "latency_ms")


def _time(value: float | None) -> str:
    return datetime.fromtimestamp(value).isoformat(timespec="milliseconds") if value is not None else ""


def write_delivery_csv(
    path: Path,
    rows: Iterable[SchoolDelivery],
    school_names: Mapping[str, str],
    origin: float | None,
) -> int:
    """Write *rows* to *path*; returns the number of schools written. OSError when it cannot."""
    part = path.with_name(path.name + ".part")
    count = 0
    try:
        with part.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for row in rows:
                latency = row.latency_s(origin)
                writer.writerow(
                    (
                        row.school,
                        school_names.get(row.school, ""),
                        row.state.value,
                        row.reason,
                        _time(row.sent_at),
                        _time(row.playing_at),
                        "" if latency is None else f"{latency * 1000:.0f}",
                    )
                )
                count += 1
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)
        raise
    return count
