"""Camera logins end to end: set with the CLI, encrypted in the database, decrypted by the wall's
catalogue load, put into the URL the player opens, and written nowhere else."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from PySide6.QtCore import QByteArray, QModelIndex, Qt
from sqlalchemy.orm import Session

from console.app_logging import log_file_path, setup_logging
from console.db_bridge import DatabaseBridge
from console.pages.wall_page import WallPage
from console.settings import ConsoleSettings
from console.video.host import WatchdogPolicy
from console.video.pool import PlayerPool
from services.access import cli as access_cli
from services.access.secrets import RedactingFilter, remove_redaction
from services.db.engine import open_database
from services.db.models import Camera, District, School, SchoolType
from tests.console.basic_auth_relay import BasicAuthRelay
from tests.console.test_wall_page import pixels
from tests.hardware.streams.simulator import SimulatorProcess
from widgets.video_wall import grid_layout

pytestmark = pytest.mark.gui

FAST = WatchdogPolicy(tick_s=0.1, stall_s=3.0, connect_timeout_s=3.0, retry_initial_s=0.3, retry_max_s=1.0)
CAMERA_USER = "nvr-viewer"
# Characters that must be percent-encoded in a URL, so both spellings are searched for.
CAMERA_PASSWORD = "Gate#Cam:2026@qd"
SECRET_FORMS = (CAMERA_PASSWORD, quote(CAMERA_PASSWORD, safe=""), f"{CAMERA_USER}:")


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    sim = SimulatorProcess(tmp_path_factory.mktemp("credential-clips"), cameras=1)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def relay(simulator: SimulatorProcess) -> Iterator[BasicAuthRelay]:
    r = BasicAuthRelay(simulator.template, CAMERA_USER, CAMERA_PASSWORD)
    r.start()
    yield r
    r.stop()


@pytest.fixture
def console_logging(tmp_path: Path) -> Iterator[Path]:
    """The console's own logging (stderr and the log file in the data folder), removed after."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    path = setup_logging(tmp_path / "data")
    assert path is not None
    yield path
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    for redacting in [f for f in root.filters if isinstance(f, RedactingFilter)]:
        remove_redaction(redacting)
    root.setLevel(level)


def seed(url: str, relay: BasicAuthRelay) -> None:
    """The camera behind the relay, registered from a CSV that named its login "nvr-login"."""
    engine = open_database(url)
    with Session(engine) as s:
        district = District(adcode="370202", name="市南区", name_en="Shinan")
        school = School(
            code="S-A",
            name="Alpha School",
            district=district,
            school_type=SchoolType.PRIMARY,
            longitude=120.3,
            latitude=36.06,
        )
        school.cameras.append(
            Camera(
                code="GATE-1",
                name="Gate",
                main_stream_url=relay.url("SIM-0001", "main"),
                sub_stream_url=relay.url("SIM-0001", "sub"),
                credential_ref="nvr-login",
            )
        )
        s.add_all([district, school])
        s.commit()
    engine.dispose()


def set_with_cli(monkeypatch: pytest.MonkeyPatch, database_url: str, key_dir: Path, key_file: Path) -> None:
    argv = ["camera-credentials", "set", "GATE-1", "--username", CAMERA_USER, "--password-stdin"]
    argv += ["--database", database_url, "--key-dir", str(key_dir), "--key-file", str(key_file)]
    assert not any(CAMERA_PASSWORD in a for a in argv)
    parser = access_cli.argparse.ArgumentParser(prog="safecampus-hub")
    access_cli.add_subcommands(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr("sys.stdin", io.StringIO(CAMERA_PASSWORD + "\n"))
    assert access_cli.run(parser.parse_args(argv)) == 0


def all_tree_texts(page: WallPage) -> str:
    model = page.tree.model
    texts: list[str] = []
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            texts += [
                str(model.data(index, role))
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
            ]
            texts.append(bytes(model.mimeData([index]).data(model.mimeTypes()[0]).data()).decode())
            stack.append(index)
    return "\n".join(texts)


@pytest.mark.expect_log(r"1 camera logins cannot be used, those cameras play without theirs")
def test_a_camera_login_set_with_the_cli_plays_and_is_written_nowhere(
    qtbot, tmp_path: Path, relay: BasicAuthRelay, console_logging: Path, monkeypatch, capfd, caplog
) -> None:
    data_dir = tmp_path / "data"
    database = tmp_path / "wall.db"
    database_url = f"sqlite:///{database}"
    key_file = data_dir / "secrets.key"
    seed(database_url, relay)
    bridge = DatabaseBridge()
    with qtbot.waitCallback(timeout=20_000) as opened:
        bridge.open(database_url, on_done=opened)
    pages: list[WallPage] = []

    def make_page() -> WallPage:
        # A real worker process, so its own log is part of what is checked.
        page = WallPage(bridge, data_dir, lambda: PlayerPool(workers=1, policy=FAST))
        pages.append(page)
        qtbot.addWidget(page)
        page.resize(1300, 760)
        page.show()
        return page

    def load(page: WallPage) -> None:
        catalog = page.catalog()
        page.load_catalog()
        qtbot.waitUntil(lambda: page.catalog() is not catalog and page.catalog() is not None, timeout=10_000)

    try:
        page = make_page()
        load(page)
        wall = page.wall
        gate = page.catalog().cameras[next(iter(page.catalog().cameras))]  # type: ignore[union-attr]
        page.set_wall_layout(grid_layout(4))
        wall.set_cameras([gate])

        # 1. No login stored: the camera refuses the player, and the tile says what is missing.
        qtbot.waitUntil(lambda: wall.tile_status(0).health == "offline", timeout=15_000)
        assert "needs a login, but none is stored" in wall.tile_status(0).explanation
        assert "anonymous" in relay.seen and "accepted" not in relay.seen

        # 2. The administrator stores it with the CLI; the next catalogue load plays it.
        set_with_cli(monkeypatch, database_url, tmp_path / "hub-keys", key_file)
        load(page)
        qtbot.waitUntil(lambda: wall.tile_status(0).health == "live", timeout=15_000)
        qtbot.waitUntil(lambda: wall.tile_image(0) is not None, timeout=5_000)
        assert pixels(wall.tile_image(0)).std() > 20  # a picture, not a flat colour
        assert "accepted" in relay.seen
        assert page.playback.tile_url(0) in (gate.main_url, gate.sub_url)  # the registry's URL
        with qtbot.waitSignal(page.snapshotSaved, timeout=5_000) as saved:
            page.snapshot(0)
        assert Path(saved.args[0]).exists()
        page.save_named_layout("Gate")
        statuses = [wall.tile_status(0).explanation]
        ConsoleSettings(data_dir / "settings.ini").save_layout(
            QByteArray(), QByteArray(), {"wall": page.layout_state()}
        )
        tree_texts = all_tree_texts(page)
        page.shutdown()  # remembers the wall for the next start

        # 3. Another start with the wrong key (libvlc remembers a login that worked for as long
        # as its process lives, so this takes a new player process, as a restart does): the
        # camera plays without its login, and its tile says why.
        key_file.unlink()
        key_file.write_bytes(Fernet.generate_key())
        key_file.chmod(0o600)
        relay.seen.clear()
        again = make_page()
        load(again)
        qtbot.waitUntil(lambda: again.wall.cameras() == [gate], timeout=5_000)
        qtbot.waitUntil(lambda: again.wall.tile_status(0).health == "offline", timeout=15_000)
        assert "cannot be decrypted" in again.wall.tile_status(0).explanation
        assert relay.seen and "accepted" not in relay.seen
        assert "1 camera logins cannot be used" in caplog.text
        statuses.append(again.wall.tile_status(0).explanation)
    finally:
        for each in pages:
            each.shutdown()
            each.close()
        bridge.shutdown()

    # Nowhere: the database (and its journal), every file in the data folder (log, layouts,
    # settings, snapshot), the captured log, the worker's stderr and the CLI's output, the tree's
    # texts, tooltips and drag payloads, the tiles' texts.
    for handler in logging.getLogger().handlers:
        handler.flush()
    stored = [database, *tmp_path.glob("wall.db-*"), *(p for p in data_dir.rglob("*") if p.is_file())]
    assert log_file_path(data_dir) in stored and any(p.suffix == ".json" for p in stored)
    assert "camera logins cannot be used" in log_file_path(data_dir).read_text(encoding="utf-8")
    captured = capfd.readouterr()
    assert "video-worker: player 1 live" in captured.err  # the worker's log is in what is searched
    places = {str(p): p.read_bytes().decode("utf-8", errors="replace") for p in stored}
    places |= {"caplog": caplog.text, "stdout": captured.out, "stderr": captured.err}
    places |= {"tree": tree_texts, "tiles": "\n".join(statuses)}
    for form in SECRET_FORMS:
        assert [where for where, text in places.items() if form in text] == [], form
    # The ciphertext is in the database, the key outside it.
    assert b"gAAAAA" in database.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("wall.db-*"))
