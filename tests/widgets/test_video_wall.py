"""The video wall widget with fake frames: layouts, painting, pages, maximise, overlays, drops."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QDropEvent, QImage

from widgets.video_wall import (
    Cell,
    TileStatus,
    VideoWall,
    WallCamera,
    WallLayout,
    cameras_from_mime,
    cameras_mime,
    grid_layout,
    standard_layouts,
)

pytestmark = pytest.mark.gui

COLORS = [QColor(200, 30, 30), QColor(30, 200, 30), QColor(30, 30, 200), QColor(200, 200, 30)]


def camera(i: int, school: int | None = None) -> WallCamera:
    return WallCamera(
        i,
        f"C{i}",
        f"Camera {i}",
        school or i,
        f"School {school or i}",
        f"http://h/{i}/main",
        f"http://h/{i}/sub",
    )


class FakeFrames:
    """Frames of a solid colour per on-screen tile; counts the calls."""

    def __init__(self) -> None:
        self.pending: dict[int, QImage] = {}
        self.asked: list[int] = []

    def push(self, index: int, color: QColor, size: tuple[int, int] = (64, 36)) -> None:
        image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
        image.fill(color)
        self.pending[index] = image

    def new_frame(self, index: int) -> QImage | None:
        self.asked.append(index)
        return self.pending.pop(index, None)


@pytest.fixture
def wall(qtbot) -> VideoWall:
    w = VideoWall()
    qtbot.addWidget(w)
    w.resize(800, 450)
    return w


def test_standard_layouts_and_spans() -> None:
    assert [lay.tile_count for lay in standard_layouts()] == [1, 4, 6, 9, 16, 25, 36, 64, 81, 100]
    six = grid_layout(6).tile_rects(900, 900, gap=0)
    assert six[0].width() == 600 and six[0].height() == 600  # the big one spans 2x2 of 3x3
    assert all(r.width() == 300 for r in six[1:])
    rects = grid_layout(64).tile_rects(1920, 1080)
    assert len(rects) == 64 and not any(a.intersects(b) for a in rects for b in rects if a is not b)
    custom = WallLayout("wide", 4, 2, (Cell(0, 0, 4, 1), Cell(0, 1), Cell(1, 1, 3, 1)))
    assert custom.tile_count == 3
    with pytest.raises(ValueError, match="overlap"):
        WallLayout("bad", 2, 2, (Cell(0, 0, 2, 2), Cell(1, 1)))
    with pytest.raises(ValueError, match="outside"):
        WallLayout("bad", 2, 2, (Cell(1, 1, 2, 1),))
    with pytest.raises(ValueError, match="square"):
        grid_layout(7)


def test_paints_each_tiles_frame_and_only_asks_for_tiles_with_cameras(qtbot, wall: VideoWall) -> None:
    frames = FakeFrames()
    wall.set_frame_source(frames)
    wall.set_cameras([camera(1), camera(2), None, camera(4)])
    wall.show()
    for i in (0, 1, 3):
        frames.push(i, COLORS[i])
        wall.set_tile_status(i, TileStatus("live", "Live", "", "Sub"))
    wall.refresh_frames()
    assert 2 not in frames.asked  # an empty tile decodes nothing
    image = wall.grab().toImage()
    for i in (0, 1, 3):
        centre = wall.tile_rect(i).center()
        assert image.pixelColor(centre) == COLORS[i], i
    assert wall.frames_shown[:4] == [1, 1, 0, 1]
    assert wall.first_frame_at[0] is not None and wall.first_frame_at[2] is None
    wall.close()


def test_a_picture_keeps_its_shape_in_a_tile_of_another_shape(qtbot, wall: VideoWall) -> None:
    frames = FakeFrames()
    wall.set_frame_source(frames)
    wall.resize(400, 450)  # 2x2: tiles about 200x225, much taller than 16:9
    wall.set_cameras([camera(1)])
    wall.show()
    frames.push(0, COLORS[0], (160, 90))
    wall.set_tile_status(0, TileStatus("live", "Live", "", "Sub"))
    wall.refresh_frames()
    image = wall.grab().toImage()
    rect = wall.tile_rect(0)
    assert image.pixelColor(rect.center()) == COLORS[0]
    # Scaled up to the tile's width at 16:9: bars above and below, the picture not stretched.
    picture_height = round(rect.width() * 9 / 16)
    bar = (rect.height() - picture_height) // 2
    assert bar > 40
    below = QPoint(rect.center().x(), rect.bottom() - bar // 2)
    assert image.pixelColor(below) != COLORS[0]
    inside = QPoint(rect.center().x(), rect.bottom() - bar - 3)
    assert image.pixelColor(inside) == COLORS[0]
    wall.close()


def test_pages_hold_the_cameras_in_order_and_wrap(wall: VideoWall) -> None:
    pages = []
    wall.pageChanged.connect(pages.append)
    wall.set_cameras([camera(i) for i in range(1, 11)])
    assert wall.page_count() == 3
    wall.next_page()
    assert [t.camera.camera_id for t in wall.visible_tiles()] == [5, 6, 7, 8]
    wall.next_page()
    assert [t.camera.camera_id for t in wall.visible_tiles()] == [9, 10]
    wall.next_page()
    assert wall.page() == 0 and pages[-3:] == [1, 2, 0]
    wall.set_wall_layout(grid_layout(9))
    assert wall.page_count() == 2 and len(wall.visible_tiles()) == 9


def test_double_click_maximises_a_tile_and_back(qtbot, wall: VideoWall) -> None:
    wall.set_cameras([camera(i) for i in range(1, 5)])
    wall.show()
    changes = []
    wall.maximisedChanged.connect(changes.append)
    qtbot.mouseDClick(wall, Qt.MouseButton.LeftButton, pos=wall.tile_rect(2).center())
    tiles = wall.visible_tiles()
    assert wall.is_maximised() and len(tiles) == 1
    assert tiles[0].camera.camera_id == 3 and tiles[0].focused
    assert (tiles[0].width, tiles[0].height) == (wall.width(), wall.height())
    qtbot.mouseDClick(wall, Qt.MouseButton.LeftButton, pos=wall.rect().center())
    assert not wall.is_maximised() and len(wall.visible_tiles()) == 4
    assert wall.selected() == 2 and changes == [True, False]
    wall.close()


def test_alarm_border_and_selection_are_drawn(qtbot, wall: VideoWall) -> None:
    frames = FakeFrames()
    wall.set_frame_source(frames)
    wall.set_cameras([camera(1, school=7), camera(2, school=8)])
    wall.show()
    frames.push(0, QColor(0, 0, 0))
    frames.push(1, QColor(0, 0, 0))
    wall.refresh_frames()
    wall.set_tile_status(0, TileStatus("live", "Live", "", "Sub"))
    wall.set_tile_status(1, TileStatus("live", "Live", "", "Sub"))
    wall.set_alarm_schools({7})
    assert [t.alarm for t in wall.visible_tiles()] == [True, False]
    image = wall.grab().toImage()
    r0, r1 = wall.tile_rect(0), wall.tile_rect(1)
    edge0 = image.pixelColor(QPoint(r0.left() + 2, r0.center().y()))
    edge1 = image.pixelColor(QPoint(r1.left() + 2, r1.center().y()))
    assert edge0.red() > 200 and edge0.green() < 100  # red alarm border
    assert edge1.red() < 50
    wall.select(1)
    image = wall.grab().toImage()
    assert image.pixelColor(QPoint(r1.left(), r1.center().y())) == QColor("#4fa3ff")
    wall.close()


def test_health_overlay_dims_a_stalled_tile(qtbot, wall: VideoWall) -> None:
    frames = FakeFrames()
    wall.set_frame_source(frames)
    wall.set_cameras([camera(1)])
    wall.show()
    frames.push(0, QColor(250, 250, 250), size=(400, 225))
    wall.refresh_frames()
    wall.set_tile_status(0, TileStatus("live", "Live", "", "Sub"))
    probe = QPoint(wall.tile_rect(0).left() + 10, wall.tile_rect(0).bottom() - 10)
    bright = wall.grab().toImage().pixelColor(probe)
    wall.set_tile_status(0, TileStatus("stalled", "Stalled", "No picture for 3 seconds.", "Sub"))
    dimmed = wall.grab().toImage().pixelColor(probe)
    assert bright.red() == 250 and dimmed.red() < 200
    assert wall.tile_status(0).explanation.startswith("No picture")
    wall.close()


def test_dropping_cameras_fills_tiles_from_the_drop_position(qtbot, wall: VideoWall) -> None:
    wall.set_cameras([camera(1)])
    wall.show()
    school = [camera(20 + i, school=5) for i in range(5)]
    mime = cameras_mime("school", school)
    assert cameras_from_mime(mime) == school
    target = QPointF(wall.tile_rect(1).center())
    event = QDropEvent(
        target, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    wall.dropEvent(event)
    ids = [c.camera_id if c else None for c in wall.cameras()]
    assert ids == [1, 20, 21, 22, 23, 24]  # a second page was added for the rest
    assert wall.page_count() == 2
    junk = QMimeData()
    junk.setData("application/x-safecampus-cameras", b"{not json")
    assert cameras_from_mime(junk) == []
    wall.close()
