"""The wall page on a real (small) database and real streams from the camera stream simulator."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent, QImage
from sqlalchemy.orm import Session

from console.db_bridge import DatabaseBridge
from console.pages.wall_data import CameraCatalog, load_camera_catalog
from console.pages.wall_page import WallPage
from console.video.host import WatchdogPolicy
from console.video.layouts import layouts_path, load_layouts
from console.video.pool import PlayerPool
from services.db.engine import open_database
from services.db.models import Camera, District, School, SchoolType
from tests.hardware.streams.simulator import SimulatorProcess
from widgets.video_wall import WallCamera, grid_layout

pytestmark = pytest.mark.gui

FAST = WatchdogPolicy(tick_s=0.1, stall_s=3.0, connect_timeout_s=4.0, retry_initial_s=0.3, retry_max_s=1.0)
SIM_CAMERAS = 3


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    sim = SimulatorProcess(tmp_path_factory.mktemp("wall-clips"), cameras=SIM_CAMERAS)
    sim.start()
    yield sim
    sim.stop()


def seed(url: str, template: str) -> None:
    """Two districts; school A has the simulator's cameras, school B one rtsp camera."""
    engine = open_database(url)
    with Session(engine) as s:
        d1 = District(adcode="370202", name="市南区", name_en="Shinan")
        d2 = District(adcode="370203", name="市北区", name_en="Shibei")
        a = School(
            code="S-A",
            name="Alpha School",
            district=d1,
            school_type=SchoolType.PRIMARY,
            longitude=120.3,
            latitude=36.06,
        )
        b = School(
            code="S-B",
            name="Beta School",
            district=d2,
            school_type=SchoolType.HIGH,
            longitude=120.35,
            latitude=36.08,
        )
        for i in range(1, SIM_CAMERAS + 1):
            code = f"SIM-{i:04d}"
            a.cameras.append(
                Camera(code=code, name=f"Gate {i}", main_stream_url=template.format(code=code, stream="main"),
                       sub_stream_url=template.format(code=code, stream="sub"))
            )  # fmt: skip
        b.cameras.append(
            Camera(
                code="RTSP-1",
                name="Hall",
                main_stream_url="rtsp://10.0.0.9/main",
                sub_stream_url="rtsp://10.0.0.9/sub",
            )
        )
        s.add_all([d1, d2, a, b])
        s.commit()
    engine.dispose()


@pytest.fixture
def bridge(qtbot, tmp_path: Path, simulator: SimulatorProcess) -> Iterator[DatabaseBridge]:
    url = f"sqlite:///{tmp_path / 'wall.db'}"
    seed(url, simulator.template)
    b = DatabaseBridge()
    with qtbot.waitCallback(timeout=20_000) as opened:
        b.open(url, on_done=opened)
    yield b
    b.shutdown()


@pytest.fixture
def make_page(qtbot, tmp_path: Path, bridge: DatabaseBridge) -> Iterator[Callable[..., WallPage]]:
    pages: list[WallPage] = []

    def make(load: bool = True, **kwargs: object) -> WallPage:
        page = WallPage(bridge, tmp_path / "data", lambda: PlayerPool(workers=0, policy=FAST), **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(page)
        page.resize(1300, 760)
        page.show()
        pages.append(page)
        if load:
            page.load_catalog()
            qtbot.waitUntil(
                lambda: page.catalog() is not None and page.tree.model.rowCount() > 0, timeout=10_000
            )
        return page

    yield make
    for page in pages:
        page.shutdown()
        page.close()


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(bytes(image.constBits()), dtype=np.uint8)
    return raw.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].astype(np.int16)


def school_cameras(page: WallPage, name: str) -> list[WallCamera]:
    catalog = page.catalog()
    assert catalog is not None
    return next(s.cameras for d in catalog.districts for s in d.schools if s.name == name)


def test_catalog_lists_districts_schools_and_cameras(database_url: str, qtbot) -> None:
    seed(database_url, "http://127.0.0.1:9/cam/{code}/{stream}.ts")
    bridge = DatabaseBridge()
    try:
        with qtbot.waitCallback(timeout=20_000) as opened:
            bridge.open(database_url, on_done=opened)
        with qtbot.waitCallback(timeout=20_000) as loaded:
            bridge.submit(load_camera_catalog, on_done=loaded)
    finally:
        bridge.shutdown()
    catalog: CameraCatalog = loaded.args[0]
    assert [d.name_en for d in catalog.districts] == ["Shinan", "Shibei"]
    alpha = catalog.districts[0].schools[0]
    assert alpha.name == "Alpha School" and [c.code for c in alpha.cameras] == [
        "SIM-0001",
        "SIM-0002",
        "SIM-0003",
    ]
    assert alpha.cameras[0].sub_url == "http://127.0.0.1:9/cam/SIM-0001/sub.ts"
    assert len(catalog.cameras) == 4


def test_tiles_show_the_simulators_moving_pictures(qtbot, make_page) -> None:
    page = make_page()
    cams = school_cameras(page, "Alpha School")
    page.set_wall_layout(grid_layout(25))  # small tiles: sub streams, no switch while we look
    page.wall.set_cameras(cams[:2])
    wall = page.wall
    qtbot.waitUntil(lambda: wall.tile_image(0) is not None and wall.tile_image(1) is not None, timeout=15_000)
    qtbot.waitUntil(lambda: wall.tile_status(0).health == "live", timeout=5_000)
    start = pixels(wall.tile_image(0))
    first = [pixels(wall.tile_image(i))[:100, :400] for i in (0, 1)]
    assert first[0].std() > 20  # a picture, not a flat colour
    assert np.abs(first[0] - first[1]).mean() > 10  # two cameras, two different pictures
    # It moves: within a few seconds the tile shows a different picture (libvlc may hand over the
    # same picture more than once when the machine is busy, so counting frames is not enough).
    qtbot.waitUntil(lambda: np.abs(pixels(wall.tile_image(0)) - start).mean() > 1, timeout=5_000)
    grabbed = pixels(wall.grab().toImage())
    rect = wall.tile_rect(0)
    assert grabbed[rect.center().y(), rect.center().x() * 4 : rect.center().x() * 4 + 3].sum() > 0
    assert wall.tile_status(0).tier_text == "Sub"


def test_layout_and_maximise_switch_between_sub_and_main(qtbot, make_page) -> None:
    page = make_page()
    cams = school_cameras(page, "Alpha School")
    page.wall.set_cameras(cams)
    pb = page.playback
    # 4 tiles of ~350 px: main after the 1 s hysteresis delay.
    qtbot.waitUntil(lambda: (pb.tile_url(0) or "").endswith("/main.ts"), timeout=5_000)
    page.set_wall_layout(grid_layout(25))  # more than 16 tiles: all sub at once
    qtbot.waitUntil(lambda: (pb.tile_url(0) or "").endswith("/sub.ts"), timeout=2_000)
    assert all((pb.tile_url(i) or "").endswith("/sub.ts") for i in range(3))
    page.wall.toggle_maximise(1)
    assert page.wall.visible_tiles()[0].camera == cams[1]
    qtbot.waitUntil(lambda: (pb.tile_url(0) or "").endswith("SIM-0002/main.ts"), timeout=5_000)
    page.wall.toggle_maximise(0)
    qtbot.waitUntil(lambda: (pb.tile_url(1) or "").endswith("SIM-0002/sub.ts"), timeout=2_000)


def test_unplayable_addresses_explain_themselves(qtbot, make_page) -> None:
    page = make_page()
    good = school_cameras(page, "Alpha School")[0]
    rtsp = school_cameras(page, "Beta School")[0]
    broken = WallCamera(99, "BAD", "Broken", 1, "Alpha School", "not a url", "not a url")
    refused = WallCamera(
        98, "OFF", "Off", 1, "Alpha School", "http://127.0.0.1:9/x.ts", "http://127.0.0.1:9/x.ts"
    )
    page.wall.set_cameras([rtsp, broken, refused, good])
    wall = page.wall
    qtbot.waitUntil(lambda: wall.tile_status(0).health == "unsupported", timeout=3_000)
    assert "RTSP" in wall.tile_status(0).explanation
    qtbot.waitUntil(lambda: wall.tile_status(1).health == "offline", timeout=3_000)
    assert "not a valid URL" in wall.tile_status(1).explanation
    qtbot.waitUntil(lambda: wall.tile_status(2).health == "offline", timeout=8_000)
    assert (
        "could not be opened" in wall.tile_status(2).explanation
        or "no picture" in wall.tile_status(2).explanation
    )


def test_dropping_a_school_from_the_tree_fills_tiles(qtbot, make_page) -> None:
    page = make_page()
    model = page.tree.model
    district = model.index(0, 0)
    school = model.index(0, 0, district)
    assert model.node_kind(school) == "school"
    mime = model.mimeData([school])
    target = QPointF(page.wall.tile_rect(1).center())
    event = QDropEvent(
        target, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    page.wall.dropEvent(event)
    assert [c.code if c else None for c in page.wall.cameras()] == [None, "SIM-0001", "SIM-0002", "SIM-0003"]
    # The search keeps only what matches (and what lies under a match).
    page.tree.search.setText("beta")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2_000)
    assert model.data(model.index(0, 0, model.index(0, 0))).startswith("Beta School")


def test_saved_layouts_restore_on_the_next_start(qtbot, make_page, tmp_path: Path) -> None:
    page = make_page()
    cams = school_cameras(page, "Alpha School")
    page.set_wall_layout(grid_layout(9))
    page.wall.set_cameras([cams[2], None, cams[0]])
    page.save_named_layout("Gates")
    page.wall.set_cameras([cams[1]])
    path = layouts_path(tmp_path / "data", "default")
    qtbot.waitUntil(lambda: path.exists() and "Gates" in load_layouts(path).named, timeout=5_000)
    page.shutdown()  # remembers the current wall
    again = make_page()
    qtbot.waitUntil(lambda: again.wall.cameras() == [cams[1]], timeout=5_000)
    assert again.wall.wall_layout().tile_count == 9 and again.saved_layout_names() == ["Gates"]
    assert again.restore_named_layout("Gates")
    assert again.wall.cameras() == [cams[2], None, cams[0]]


@pytest.mark.expect_log(r"wall layouts .* cannot be used")
def test_a_damaged_layouts_file_is_kept_aside(tmp_path: Path, caplog) -> None:
    path = layouts_path(tmp_path, "op/1")
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "safecampus-wall-layouts", "version": 99}')
    assert load_layouts(path).current is None
    assert not path.exists() and len(list(path.parent.glob("*.bad-*"))) == 1
    assert "cannot be used" in caplog.text


def test_tour_advances_after_the_dwell(qtbot, make_page) -> None:
    page = make_page(tour_minimum_s=1.0)
    page.set_wall_layout(grid_layout(1))
    page.wall.set_cameras(school_cameras(page, "Alpha School"))
    page.set_tour_dwell(1)
    started = time.monotonic()
    page.set_tour_running(True)
    with qtbot.waitSignal(page.wall.pageChanged, timeout=3_000) as changed:
        pass
    assert changed.args == [1] and time.monotonic() - started >= 1.0  # never less than the dwell
    page.set_tour_running(False)
    assert not page.tour_timer.isActive()


def test_snapshot_writes_a_png_of_the_tile(qtbot, make_page, tmp_path: Path) -> None:
    page = make_page()
    page.set_wall_layout(grid_layout(25))
    page.wall.set_cameras(school_cameras(page, "Alpha School")[:1])
    qtbot.waitUntil(lambda: page.wall.tile_image(0) is not None, timeout=15_000)
    image = page.wall.tile_image(0)
    with qtbot.waitSignal(page.snapshotSaved, timeout=5_000) as saved:
        page.snapshot(0)
    path = Path(saved.args[0])
    assert path.parent == tmp_path / "data" / "snapshots" and path.name.startswith("SIM-0001_")
    written = QImage(str(path))
    assert (written.width(), written.height()) == (image.width(), image.height())
