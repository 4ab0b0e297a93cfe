"""bench.map: the real school map widget with N schools under U state changes per second.

    python -m bench.map --schools 10000 --updates-per-s 5000 [--seconds 10]

Shows the real SchoolMapWidget at 1600x900 (offscreen Qt) with Qingdao's district boundaries
(resources/map/qingdao_districts.geojson through services.geo; a generated grid of districts if
the file is missing, reported in ``districts_source``) and N schools placed inside the districts.
A driver applies U random state changes per second in batches every ``--batch-ms`` through
``apply_states``, exactly as the console does. Measured after a warm-up:

- paint_ms: wall time of each paint of the map's viewport (the scene render Qt performs on
  update(): districts, markers, labels), taken around the viewport's paint event;
- ui_lag_ms: lateness of a 5 ms precise probe timer on the GUI thread (how long the GUI thread was
  busy with anything: staging, coalescing, rebuilding, painting).

Progress goes to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path
from typing import Any

from bench._util import (
    CpuMeter,
    emit_result,
    ensure_offscreen_qt,
    environment_info,
    make_ui_lag_probe,
    progress,
    summarize,
)

GEOJSON = Path(__file__).resolve().parent.parent / "resources" / "map" / "qingdao_districts.geojson"
# Relative school density per district, by adcode: the urban core is far denser than the
# county-level cities (used only to place synthetic schools plausibly).
_URBAN_WEIGHT = {"370202": 3.0, "370203": 3.5, "370213": 2.0, "370212": 1.2, "370214": 1.5}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.map", description=__doc__.splitlines()[0])
    p.add_argument("--schools", type=int, default=10_000)
    p.add_argument("--updates-per-s", type=float, default=5_000.0)
    p.add_argument("--seconds", type=float, default=10.0, help="measured duration (after warm-up)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds run before measuring")
    p.add_argument("--batch-ms", type=int, default=25, help="driver batch period (20-50 ms)")
    p.add_argument("--width", type=int, default=1600)
    p.add_argument("--height", type=int, default=900)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args(argv)


def load_districts() -> tuple[list[Any], str]:
    """(districts as services.geo boundaries or generated stand-ins, source name)."""
    if GEOJSON.exists():
        from services.geo.districts import load_district_boundaries

        return list(load_district_boundaries(GEOJSON)), "geojson"
    return [], "generated_grid"


def build_city(n: int, seed: int) -> tuple[list[Any], Any, str, Any]:
    """The map's districts and N synthetic schools (MapDistrict list, MapSchools, source, rng)."""
    import numpy as np

    from widgets.school_map import MapDistrict, MapSchools

    rng = np.random.default_rng(seed)
    boundaries, source = load_districts()
    districts: list[MapDistrict] = []
    if boundaries:
        for b in boundaries:
            districts.append(MapDistrict(int(b.adcode), b.name, b.polygons, (b.label[0], b.label[1])))
        weights = np.array([_URBAN_WEIGHT.get(b.adcode, 1.0) for b in boundaries])
        counts = np.floor(weights / weights.sum() * n).astype(int)
        counts[: n - counts.sum()] += 1
        lon: list[float] = []
        lat: list[float] = []
        district: list[int] = []
        for i, (b, k) in enumerate(zip(boundaries, counts, strict=True)):
            placed = 0
            (x0, y0), (x1, y1) = (b.bbox.min_lon, b.bbox.min_lat), (b.bbox.max_lon, b.bbox.max_lat)
            while placed < k:
                # Clumped around the district's centre, as towns and schools are.
                cx = rng.normal(b.label[0], (x1 - x0) / 4, size=4 * (k - placed) + 8)
                cy = rng.normal(b.label[1], (y1 - y0) / 4, size=len(cx))
                for x, y in zip(cx, cy, strict=True):
                    if placed >= k:
                        break
                    if b.contains(float(x), float(y)):
                        lon.append(float(x))
                        lat.append(float(y))
                        district.append(i)
                        placed += 1
    else:
        # A 5 x 2 grid of rectangles over Qingdao's extent, with wavy many-vertex edges so the
        # boundary rendering costs about what real boundaries cost.
        x0, y0, w, h = 119.5, 35.6, 0.3, 0.7
        lon, lat, district = [], [], []
        for i in range(10):
            gx, gy = x0 + (i % 5) * w, y0 + (i // 5) * h
            t = np.linspace(0, 1, 200, endpoint=False)
            wob = 0.004 * np.sin(t * 60)
            ring = (
                [(gx + w * a, gy + b) for a, b in zip(t, wob, strict=True)]
                + [(gx + w + b, gy + h * a) for a, b in zip(t, wob, strict=True)]
                + [(gx + w * (1 - a), gy + h + b) for a, b in zip(t, wob, strict=True)]
                + [(gx + b, gy + h * (1 - a)) for a, b in zip(t, wob, strict=True)]
            )
            districts.append(MapDistrict(370200 + i, f"District {i + 1}", [[ring]], (gx + w / 2, gy + h / 2)))
        for k in range(n):
            i = k % 10
            gx, gy = x0 + (i % 5) * w, y0 + (i // 5) * h
            lon.append(float(rng.uniform(gx, gx + w)))
            lat.append(float(rng.uniform(gy, gy + h)))
            district.append(i)
    ids = np.arange(n, dtype=np.int64) + 100_000
    schools = MapSchools.from_columns(
        ids=ids,
        lon=lon,
        lat=lat,
        district=district,
        type_code=rng.integers(0, 4, n),
        names=[f"Demo school {i}" for i in range(n)],
        students=rng.integers(80, 3000, n),
        type_names={0: "Kindergarten", 1: "Primary", 2: "Secondary", 3: "Vocational"},
    )
    return districts, schools, source, rng


def run(args: argparse.Namespace) -> dict[str, Any]:
    ensure_offscreen_qt()
    from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from services.school_state import SchoolState
    from widgets.school_map import SchoolMapWidget

    app = QApplication.instance() or QApplication([])
    progress(f"building a city of {args.schools} schools")
    districts, schools, source, rng = build_city(args.schools, args.seed)
    progress(f"districts: {source} ({len(districts)})")

    widget = SchoolMapWidget()
    widget.resize(args.width, args.height)
    widget.set_city(districts, schools)
    widget.show()
    app.processEvents()
    widget.reset_view()
    view = widget.graphics_view
    viewport = view.viewport()

    paint_ms: list[float] = []
    # CPU time of the GUI thread in the same paints: on a shared 2-core machine a wall-time
    # tail far above the CPU-time tail means the paint was preempted, not slow.
    paint_cpu_ms: list[float] = []

    class PaintTimer(QObject):
        """Times the viewport's whole paint: the filter runs the paint itself and returns True.

        Filters installed later run first, so this one sees the Paint event before the scroll
        area's own viewport filter, and ``viewportEvent`` is exactly what that filter would call.
        """

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is viewport and event.type() == QEvent.Type.Paint:
                t0 = time.perf_counter()
                c0 = time.thread_time()
                view.viewportEvent(event)
                paint_ms.append((time.perf_counter() - t0) * 1000.0)
                paint_cpu_ms.append((time.thread_time() - c0) * 1000.0)
                return True
            return False

    paint_timer = PaintTimer()
    viewport.installEventFilter(paint_timer)

    ids = schools.ids
    state_count = len(SchoolState)
    applied = 0
    carry = 0.0
    clock = QElapsedTimer()
    clock.start()
    last_batch = clock.nsecsElapsed()

    def drive() -> None:
        nonlocal applied, carry, last_batch
        now = clock.nsecsElapsed()
        carry += args.updates_per_s * (now - last_batch) / 1e9
        last_batch = now
        k = int(carry)
        if k <= 0:
            return
        carry -= k
        # Uniform over every state: a harsher mix than a real city (one school in seven in
        # alarm, all pulsing), so the number is an upper bound for the marker work.
        batch_ids = ids[rng.integers(0, len(ids), k)]
        batch_states = rng.integers(0, state_count, k)
        applied += widget.apply_states(batch_ids, batch_states)

    driver = QTimer()
    driver.setInterval(args.batch_ms)
    driver.timeout.connect(drive)
    driver.start()
    probe = make_ui_lag_probe(5)

    def spin(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            # Leave the thread idle between event batches as a real event loop would.
            time.sleep(0.0005)

    progress(f"warm-up {args.warmup:.1f} s")
    spin(args.warmup)
    markers = widget.marker_layer
    rebuilds0 = markers.rebuilds if markers is not None else 0
    paint_ms.clear()
    paint_cpu_ms.clear()
    probe.reset()
    applied = 0
    cpu = CpuMeter()
    t0 = time.monotonic()
    progress(f"measuring {args.seconds:.1f} s at {args.updates_per_s:g} changes/s")
    spin(args.seconds)
    elapsed = time.monotonic() - t0
    cpu_cores = cpu.cores()
    driver.stop()
    probe.stop()
    widget.flush_pending()
    viewport.removeEventFilter(paint_timer)
    rebuilds = (markers.rebuilds if markers is not None else 0) - rebuilds0
    counts = {s.name.lower(): c for s, c in widget.state_counts().items()}
    widget.close()
    widget.deleteLater()
    app.processEvents()

    lag = probe.samples_ms
    result: dict[str, Any] = {
        "schools": args.schools,
        "updates_per_s": args.updates_per_s,
        "seconds": round(elapsed, 3),
        "warmup_s": args.warmup,
        "batch_ms": args.batch_ms,
        "frames": len(paint_ms),
        "fps": round(len(paint_ms) / elapsed, 2) if elapsed else None,
        **summarize("paint_ms", paint_ms),
        **summarize("paint_cpu_ms", paint_cpu_ms),
        **summarize("ui_lag_ms", lag),
        "ui_lag_samples": len(lag),
        "applied_changes": applied,
        "applied_changes_per_s": round(applied / elapsed, 1) if elapsed else None,
        "marker_rebuilds": rebuilds,
        "cpu_cores": round(cpu_cores, 3),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "view": f"{args.width}x{args.height}",
        "districts_source": source,
        "districts": len(districts),
        "state_counts": counts,
        **environment_info(),
    }
    if not math.isfinite(result["cpu_cores"]):
        result["cpu_cores"] = None
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not 20 <= args.batch_ms <= 50:
        progress(f"note: --batch-ms {args.batch_ms} is outside the 20-50 ms a real feed uses")
    result = run(args)
    progress(
        f"frames={result['frames']} paint p95={result['paint_ms_p95']} ms, "
        f"ui lag p99={result['ui_lag_ms_p99']} ms"
    )
    emit_result(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
