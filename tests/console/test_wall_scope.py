"""A district viewer's wall: the tree, drag and drop, the wall and the logins keep to the district;
the catalogue's logins go only into the URLs the registry has for their camera."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPointF, Qt
from PySide6.QtGui import QDropEvent
from sqlalchemy.orm import Session

from console.db_bridge import DatabaseBridge
from console.pages.wall_camera_tree import CameraTree
from console.pages.wall_data import CameraCatalog, CatalogDistrict, CatalogSchool, load_camera_catalog
from console.pages.wall_page import WallPage
from console.video.host import WatchdogPolicy
from console.video.pool import PlayerPool
from console.video.stream_access import LoginProblem
from services.access.secrets import SecretBox, secrets_key_path, set_camera_credentials
from services.db.engine import open_database
from services.db.models import Camera, District, School, SchoolType
from widgets.video_wall import WallCamera, cameras_mime, grid_layout

pytestmark = pytest.mark.gui

FAST = WatchdogPolicy(tick_s=0.1, stall_s=3.0, connect_timeout_s=2.0, retry_initial_s=0.3, retry_max_s=1.0)
SHINAN, SHIBEI = "370202", "370203"
PASSWORDS = {"SN-1": "Shinan-cam-2026", "SB-1": "Shibei-cam-2026"}


def seed(engine: Any, key_path: Path) -> None:
    """One school and camera in each of two districts, each camera with a stored login; a third
    camera whose registry entry names a login that was never stored; a udp camera with a login."""
    box = SecretBox.load_or_create(key_path)
    with Session(engine) as s:
        for adcode, name, name_en, code, school_name in (
            (SHINAN, "市南区", "Shinan", "SN-1", "Shinan School"),
            (SHIBEI, "市北区", "Shibei", "SB-1", "Shibei School"),
        ):
            district = District(adcode=adcode, name=name, name_en=name_en)
            school = School(
                code=f"S-{code}",
                name=school_name,
                district=district,
                school_type=SchoolType.PRIMARY,
                longitude=120.3,
                latitude=36.06,
            )
            school.cameras.append(
                Camera(
                    code=code,
                    name=f"Gate {code}",
                    main_stream_url=f"http://127.0.0.1:9/{code}/main.ts",
                    sub_stream_url=f"http://127.0.0.1:9/{code}/sub.ts",
                )
            )
            if adcode == SHINAN:
                school.cameras.append(
                    Camera(
                        code="SN-2",
                        name="Yard",
                        main_stream_url="http://127.0.0.1:9/SN-2/main.ts",
                        sub_stream_url="http://127.0.0.1:9/SN-2/sub.ts",
                        credential_ref="nvr-login",
                    )
                )
                school.cameras.append(
                    Camera(code="SN-3", name="Hall", main_stream_url="udp://@239.0.0.1:1234",
                           sub_stream_url="udp://@239.0.0.1:1234")
                )  # fmt: skip
            s.add_all([district, school])
        s.flush()
        for camera in s.query(Camera).all():
            if camera.code in PASSWORDS:
                set_camera_credentials(s, box, camera.id, "viewer", PASSWORDS[camera.code])
            elif camera.code == "SN-3":
                set_camera_credentials(s, box, camera.id, "viewer", "Hall-cam-2026")
        s.commit()


def by_code(catalog: CameraCatalog) -> dict[str, WallCamera]:
    return {c.code: c for c in catalog.cameras.values()}


# --- the catalogue -------------------------------------------------------------------------


def test_the_catalogue_decrypts_logins_and_gives_them_only_to_registry_urls(engine, tmp_path: Path) -> None:
    key_path = secrets_key_path(tmp_path)
    seed(engine, key_path)
    ctx: Any = SimpleNamespace(engine=engine)
    catalog = load_camera_catalog(ctx, key_path)
    cams = by_code(catalog)
    assert [d.adcode for d in catalog.districts] == [SHINAN, SHIBEI] and catalog.scope is None
    assert catalog.camera_adcode(cams["SB-1"].camera_id) == SHIBEI
    # The WallCameras (drag payloads, tooltips) carry the registry's URLs only.
    assert all("@" not in c.main_url + c.sub_url or c.code == "SN-3" for c in cams.values())
    sn1 = cams["SN-1"]
    access = catalog.stream_access(sn1, sn1.sub_url)
    assert access.url == "http://viewer:Shinan-cam-2026@127.0.0.1:9/SN-1/sub.ts" and access.problem == ""
    assert "Shinan-cam-2026" not in repr(access) + repr(catalog)
    # A payload naming the camera with another URL gets no login.
    forged = catalog.stream_access(sn1, "http://evil.example/collect.ts")
    assert forged.url == "http://evil.example/collect.ts"
    yard, hall = cams["SN-2"], cams["SN-3"]
    assert catalog.stream_access(yard, yard.sub_url).problem == LoginProblem.MISSING
    assert catalog.stream_access(hall, hall.sub_url).problem == LoginProblem.NOT_APPLICABLE
    assert catalog.stream_access(hall, hall.sub_url).url == hall.sub_url

    scoped = load_camera_catalog(ctx, key_path, SHINAN)
    assert scoped.scope == SHINAN and [d.adcode for d in scoped.districts] == [SHINAN]
    assert sorted(by_code(scoped)) == ["SN-1", "SN-2", "SN-3"]
    # Another district's logins are not even decrypted.
    assert sorted(scoped.logins) == sorted([cams["SN-1"].camera_id, cams["SN-3"].camera_id])


@pytest.mark.expect_log(
    r"2 camera logins cannot be used.*there is no secrets key",
    r"2 camera logins cannot be used.*cannot decrypt",
)
def test_logins_the_key_cannot_open_play_without_and_say_why(engine, tmp_path: Path, caplog) -> None:
    key_path = secrets_key_path(tmp_path)
    seed(engine, key_path)
    ctx: Any = SimpleNamespace(engine=engine)
    missing = load_camera_catalog(ctx, tmp_path / "elsewhere" / "secrets.key", SHINAN)
    assert not (tmp_path / "elsewhere").exists()  # a reader never invents a key
    wrong_path = tmp_path / "wrong" / "secrets.key"
    SecretBox.load_or_create(wrong_path)
    wrong = load_camera_catalog(ctx, wrong_path, SHINAN)
    for catalog in (missing, wrong):
        sn1 = by_code(catalog)["SN-1"]
        access = catalog.stream_access(sn1, sn1.main_url)
        assert (access.url, access.problem) == (sn1.main_url, LoginProblem.UNREADABLE)
        assert catalog.logins == {}
    assert "there is no secrets key" in caplog.text and "cannot decrypt a stored secret" in caplog.text


# --- the tree ------------------------------------------------------------------------------


def _catalog() -> CameraCatalog:
    def camera(camera_id: int, school_id: int, code: str) -> WallCamera:
        url = f"http://127.0.0.1:9/{code}.ts"
        return WallCamera(camera_id, code, f"Gate {code}", school_id, f"School {school_id}", url, url)

    shinan = CatalogDistrict(
        1, "市南区", "Shinan", SHINAN, [CatalogSchool(1, "S1", "Alpha", [camera(1, 1, "SN-1")])]
    )
    shibei = CatalogDistrict(
        2, "市北区", "Shibei", SHIBEI, [CatalogSchool(2, "S2", "Beta", [camera(2, 2, "SB-1")])]
    )
    cameras = {c.camera_id: c for d in (shinan, shibei) for s in d.schools for c in s.cameras}
    return CameraCatalog([shinan, shibei], cameras)


def _drag_codes(tree: CameraTree) -> list[str]:
    model = tree.model
    indexes = [model.index(row, 0, QModelIndex()) for row in range(model.rowCount())]
    mime = model.mimeData(indexes)
    return [c.code for c in _cameras(mime)]


def _cameras(mime: Any) -> list[WallCamera]:
    from widgets.video_wall import cameras_from_mime

    return cameras_from_mime(mime)


def test_the_tree_offers_only_the_scope(qtbot) -> None:
    tree = CameraTree()
    qtbot.addWidget(tree)
    tree.set_catalog(_catalog(), english=True)
    assert tree.model.rowCount() == 2 and _drag_codes(tree) == ["SN-1", "SB-1"]
    tree.set_scope(SHIBEI)
    assert tree.model.scope() == SHIBEI
    assert [tree.model.data(tree.model.index(r, 0)) for r in range(tree.model.rowCount())] == ["Shibei"]
    assert _drag_codes(tree) == ["SB-1"]
    # A search stays inside the scope.
    tree.model.apply_filter("SN-1")
    assert tree.model.rowCount() == 0
    tree.model.apply_filter("")
    # A new catalogue (a reload) keeps the scope.
    tree.set_catalog(_catalog(), english=True)
    assert _drag_codes(tree) == ["SB-1"]
    tree.set_scope(None)
    assert _drag_codes(tree) == ["SN-1", "SB-1"]


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def bridge(qtbot, tmp_path: Path) -> Iterator[DatabaseBridge]:
    url = f"sqlite:///{tmp_path / 'scope.db'}"
    engine = open_database(url)
    seed(engine, secrets_key_path(tmp_path / "data"))
    engine.dispose()
    b = DatabaseBridge()
    with qtbot.waitCallback(timeout=20_000) as opened:
        b.open(url, on_done=opened)
    yield b
    b.shutdown()


@pytest.fixture
def page(qtbot, tmp_path: Path, bridge: DatabaseBridge) -> Iterator[WallPage]:
    p = WallPage(bridge, tmp_path / "data", lambda: PlayerPool(workers=0, policy=FAST))
    qtbot.addWidget(p)
    p.resize(1300, 760)
    p.show()
    p.load_catalog()
    qtbot.waitUntil(lambda: p.catalog() is not None, timeout=10_000)
    yield p
    p.shutdown()
    p.close()


def test_a_district_viewers_wall_keeps_to_the_district(qtbot, page: WallPage) -> None:
    catalog = page.catalog()
    assert catalog is not None
    cams = by_code(catalog)
    page.set_wall_layout(grid_layout(4))
    page.wall.set_cameras([cams["SN-1"], cams["SB-1"]])
    page.set_scope(SHINAN)
    assert page.scope() == SHINAN and page.tree.model.rowCount() == 1
    # The other district's camera leaves the wall at once; the catalogue reloads for the district.
    assert page.wall.cameras()[:2] == [cams["SN-1"], None]
    qtbot.waitUntil(lambda: page.catalog() is not None and page.catalog().scope == SHINAN, timeout=10_000)
    scoped = page.catalog()
    assert scoped is not None and sorted(by_code(scoped)) == ["SN-1", "SN-2", "SN-3"]
    assert cams["SB-1"].camera_id not in scoped.logins

    # A drop of another district's camera (a payload from elsewhere) is not played.
    mime = cameras_mime("camera", [cams["SB-1"]])
    target = QPointF(page.wall.tile_rect(1).center())
    page.wall.dropEvent(
        QDropEvent(
            target, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
    )
    assert page.wall.cameras()[1] == cams["SB-1"]
    qtbot.waitUntil(lambda: "outside your district" in page.wall.tile_status(1).explanation, timeout=3_000)
    assert page.wall.tile_status(1).health == "offline"

    # Lifted (another operator logs in): the whole city again.
    page.set_scope(None)
    qtbot.waitUntil(lambda: page.catalog() is not None and page.catalog().scope is None, timeout=10_000)
    assert page.tree.model.rowCount() == 2 and len(page.catalog().cameras) == 4


def test_a_scope_set_before_the_catalogue_arrives_is_kept(
    qtbot, tmp_path: Path, bridge: DatabaseBridge
) -> None:
    page = WallPage(bridge, tmp_path / "data", lambda: PlayerPool(workers=0, policy=FAST))
    qtbot.addWidget(page)
    try:
        page.load_catalog()
        page.set_scope(SHIBEI)  # the login came before the city was loaded
        qtbot.waitUntil(lambda: page.catalog() is not None and page.catalog().scope == SHIBEI, timeout=10_000)
        assert [d.adcode for d in page.catalog().districts] == [SHIBEI]
        assert page.tree.model.rowCount() == 1
    finally:
        page.shutdown()
