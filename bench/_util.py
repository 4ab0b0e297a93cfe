"""Helpers shared by the benchmarks: percentiles, progress on stderr, the JSON last line, and a
probe that measures how late the GUI thread answers.

Importable without Qt: the Qt parts are imported only when a GUI benchmark asks for them.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

_START = time.monotonic()


def percentile(values: Sequence[float], p: float) -> float | None:
    """The *p*-th percentile (0..100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * min(max(p, 0.0), 100.0) / 100.0
    lo = math.floor(rank)
    hi = math.ceil(rank)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo))


def summarize(prefix: str, values: Sequence[float], points: Iterable[int] = (50, 95, 99)) -> dict[str, Any]:
    """``{prefix_p50: .., prefix_p95: .., prefix_p99: .., prefix_max: ..}`` rounded to 0.001."""
    out: dict[str, Any] = {}
    for p in points:
        v = percentile(values, p)
        out[f"{prefix}_p{p}"] = None if v is None else round(v, 3)
    out[f"{prefix}_max"] = round(max(values), 3) if values else None
    return out


def progress(message: str) -> None:
    """A progress line on stderr (stdout is reserved for the JSON result)."""
    print(f"[{time.monotonic() - _START:7.2f}s] {message}", file=sys.stderr, flush=True)


def emit_result(result: dict[str, Any]) -> None:
    """Print *result* as one JSON object on the last line of stdout."""
    sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=False) + "\n")
    sys.stdout.flush()


def ensure_offscreen_qt() -> None:
    """Run Qt without a display unless the caller chose a platform."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def environment_info() -> dict[str, Any]:
    """Versions worth recording next to any number."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    try:
        import PySide6
        from PySide6 import QtCore

        info["pyside6"] = PySide6.__version__
        info["qt"] = QtCore.qVersion()
        info["qt_platform"] = os.environ.get("QT_QPA_PLATFORM", "")
    except ImportError:
        pass
    for name in ("pyqtgraph", "numpy"):
        module = sys.modules.get(name)
        if module is not None:
            info[name] = getattr(module, "__version__", "?")
    return info


class CpuMeter:
    """CPU time of this process over a measured interval, in cores (1.0 = one core busy)."""

    def __init__(self) -> None:
        self._cpu0 = time.process_time()
        self._wall0 = time.monotonic()

    def reset(self) -> None:
        self._cpu0 = time.process_time()
        self._wall0 = time.monotonic()

    def cores(self) -> float:
        wall = time.monotonic() - self._wall0
        return (time.process_time() - self._cpu0) / wall if wall > 0 else 0.0


def make_ui_lag_probe(interval_ms: int = 5) -> Any:
    """A started probe whose ``samples_ms`` collect how late each timer tick fired.

    A precise QTimer asks to run every *interval_ms*; the lateness of each tick (actual gap minus
    the interval, never negative) is how long the GUI thread was busy elsewhere: what an operator
    feels as lag. Call ``reset()`` after warm-up and ``stop()`` at the end.
    """
    from PySide6.QtCore import QObject, Qt, QTimer

    class UiLagProbe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.interval_ms = interval_ms
            self.samples_ms: list[float] = []
            self._last = 0.0
            self._timer = QTimer(self)
            self._timer.setObjectName("benchUiLagProbe")
            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
            self._timer.setInterval(interval_ms)
            self._timer.timeout.connect(self._tick)

        def start(self) -> None:
            self._last = time.perf_counter()
            self._timer.start()

        def stop(self) -> None:
            self._timer.stop()

        def reset(self) -> None:
            self.samples_ms.clear()
            self._last = time.perf_counter()

        def _tick(self) -> None:
            now = time.perf_counter()
            self.samples_ms.append(max(0.0, (now - self._last) * 1000.0 - self.interval_ms))
            self._last = now

    probe = UiLagProbe()
    probe.start()
    return probe
