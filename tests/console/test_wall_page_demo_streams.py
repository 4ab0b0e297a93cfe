"""The demo's camera stream simulator: started as a child, serving the database's cameras, stopped."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from console.video.demo_streams import DemoStreams
from services.db.engine import open_database
from services.db.models import Camera, District, School, SchoolType


def test_demo_streams_start_serve_and_stop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = open_database(url)
    with Session(engine) as s:
        d = District(adcode="370202", name="市南区", name_en="Shinan")
        school = School(
            code="S", name="S", district=d, school_type=SchoolType.PRIMARY, longitude=120.3, latitude=36.0
        )
        school.cameras.append(Camera(code="C1", name="Gate", main_stream_url="http://127.0.0.1:8554/cam/C1/main.ts",
                                     sub_stream_url="http://127.0.0.1:8554/cam/C1/sub.ts"))  # fmt: skip
        s.add_all([d, school])
        s.commit()
    engine.dispose()
    streams = DemoStreams(url, tmp_path / "data", port=0)  # any free port: tests must not need 8554
    streams.start()
    try:
        assert streams.running and streams.pid
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "ready" not in streams.log_path.read_text(errors="replace"):
            time.sleep(0.1)
        assert "safecampus-streams ready" in streams.log_path.read_text(errors="replace")
        assert "cameras=1" in streams.log_path.read_text(errors="replace")
    finally:
        code = streams.stop()
    assert code == 0 and not streams.running
    assert streams.stop() is None  # stopping twice is harmless


@pytest.mark.expect_log(r"cannot start the camera stream simulator")
def test_a_simulator_that_cannot_start_is_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    streams = DemoStreams("sqlite:///x.db", tmp_path)
    monkeypatch.setattr(streams, "command", lambda: [str(tmp_path / "no-such-program")])
    streams.start()
    assert not streams.running
