"""Camera credentials encrypted at rest, redaction of logs, database passwords from the environment."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from services.access.secrets import (
    RedactingFilter,
    SecretBox,
    SecretError,
    camera_credentials,
    clear_camera_credentials,
    database_url_from_environment,
    install_redaction,
    printable_database_url,
    redact,
    remove_redaction,
    set_camera_credentials,
    url_with_credentials,
)
from services.db.access_models import CameraCredential
from services.db.models import Camera, District, School, SchoolType

CAMERA_PASSWORD = "Cam#Pass-4417"
CAMERA_USER = "viewer-qd"


@pytest.fixture
def box(tmp_path) -> SecretBox:
    return SecretBox.load_or_create(tmp_path / "keys" / "secrets.key")


def _camera(session: Session) -> int:
    district = District(adcode="370202", name="市南区", name_en="Shinan")
    school = School(
        code="QD0001",
        name="青岛第一实验小学",
        district=district,
        school_type=SchoolType.PRIMARY,
        longitude=120.38,
        latitude=36.07,
    )
    camera = Camera(
        code="QD0001-C01",
        school=school,
        name="校门",
        main_stream_url="rtsp://10.0.0.1/main",
        sub_stream_url="rtsp://10.0.0.1/sub",
    )
    session.add_all([district, school, camera])
    session.flush()
    return camera.id


# --- the key -------------------------------------------------------------------------------


def test_the_key_file_is_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "secrets.key"
    box = SecretBox.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = box.encrypt("秘密 secret")
    assert "secret" not in token
    assert SecretBox.load_or_create(path).decrypt(token) == "秘密 secret"
    assert path.read_bytes().strip().decode() not in repr(box)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o606])
def test_a_key_file_others_can_read_is_refused(tmp_path, mode):
    path = tmp_path / "secrets.key"
    SecretBox.load_or_create(path)
    os.chmod(path, mode)
    with pytest.raises(SecretError, match=r"readable by others.*chmod 600"):
        SecretBox.load_or_create(path)


def test_a_wrong_key_or_damaged_value_is_a_clear_error(tmp_path, box):
    token = box.encrypt("x")
    other = SecretBox.load_or_create(tmp_path / "other.key")
    with pytest.raises(SecretError, match="not the one it was stored with"):
        other.decrypt(token)
    with pytest.raises(SecretError, match="damaged"):
        box.decrypt(token[:-4] + "AAAA")
    with pytest.raises(SecretError, match="damaged"):
        box.decrypt("非ascii")
    bad = tmp_path / "bad.key"
    bad.write_text("short\n")
    os.chmod(bad, 0o600)
    with pytest.raises(SecretError, match="not a Fernet key"):
        SecretBox.load_or_create(bad)


# --- camera credentials --------------------------------------------------------------------


def test_camera_credentials_round_trip(engine, box):
    with Session(engine) as s:
        camera_id = _camera(s)
        assert camera_credentials(s, box, camera_id) is None
        set_camera_credentials(s, box, camera_id, CAMERA_USER, CAMERA_PASSWORD, now=1.0)
        s.commit()
    with Session(engine) as s:
        assert camera_credentials(s, box, camera_id) == (CAMERA_USER, CAMERA_PASSWORD)
        set_camera_credentials(s, box, camera_id, "admin2", "Other-pass-1", now=2.0)
        s.commit()
        assert camera_credentials(s, box, camera_id) == ("admin2", "Other-pass-1")
        assert s.get(CameraCredential, camera_id).updated_at == 2.0
        assert clear_camera_credentials(s, camera_id)
        assert not clear_camera_credentials(s, camera_id)
        assert camera_credentials(s, box, camera_id) is None
        with pytest.raises(SecretError, match="no camera with id 999"):
            set_camera_credentials(s, box, 999, "u", "p")


def test_the_camera_password_never_reaches_the_database_in_the_clear(engine, database_url, box):
    with Session(engine) as s:
        camera_id = _camera(s)
        set_camera_credentials(s, box, camera_id, CAMERA_USER, CAMERA_PASSWORD)
        s.commit()
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM camera_credentials")).one()
    assert all(CAMERA_PASSWORD not in str(v) and CAMERA_USER not in str(v) for v in row)
    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        blobs = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert CAMERA_PASSWORD.encode() not in blobs
        assert CAMERA_USER.encode() not in blobs
        with Session(engine) as s:
            stored = s.scalars(select(CameraCredential.password_ct)).one()
        assert stored.encode() in blobs  # the ciphertext is what was written


# --- URLs and redaction --------------------------------------------------------------------


def test_credentials_go_into_the_url_percent_encoded():
    url = url_with_credentials("rtsp://10.1.2.3:554/Streaming/Channels/101?x=1", "ad min", "p@ss:w/rd")
    assert url == "rtsp://ad%20min:p%40ss%3Aw%2Frd@10.1.2.3:554/Streaming/Channels/101?x=1"
    parts = urlsplit(url)
    assert unquote(parts.username) == "ad min" and unquote(parts.password) == "p@ss:w/rd"
    replaced = url_with_credentials("http://old:secret@cam.local/snap.jpg", "new", "pw-123")
    assert replaced == "http://new:pw-123@cam.local/snap.jpg"
    assert url_with_credentials("rtmp://media/live", "u", "") == "rtmp://u@media/live"
    with pytest.raises(ValueError, match="file"):
        url_with_credentials("file:///tmp/x.ts", "u", "p")
    with pytest.raises(ValueError, match="no host"):
        url_with_credentials("http:///path", "u", "p")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("rtsp://admin:Cam#Pass-4417@10.0.0.1:554/live", "rtsp://admin:***@10.0.0.1:554/live"),
        ("open http://u:p%40ss@h/x and https://v:w@g/", "open http://u:***@h/x and https://v:***@g/"),
        ("rtsp://admin:p@ss@cam/live", "rtsp://admin:***@cam/live"),
        ("http://cam/snap?user=a&password=hunter22&x=1", "http://cam/snap?user=a&password=***&x=1"),
        ("login passwd=abc123 ok", "login passwd=*** ok"),
        ('{"password": "abc 123", "token":"t0k"}', '{"password": "*** 123", "token":"***"}'),
        ("Token: abcdef", "Token: ***"),
        ("rtsp://10.0.0.1/live (no credentials)", "rtsp://10.0.0.1/live (no credentials)"),
        ("token_hash=abc password_changed_at=1", "token_hash=abc password_changed_at=1"),
    ],
)
def test_redact(raw, clean):
    assert redact(raw) == clean
    assert redact(clean) == clean


@pytest.fixture
def redaction():
    installed = install_redaction()
    yield installed
    remove_redaction(installed)


@pytest.mark.expect_log(r"^stream failed$")
def test_no_secret_reaches_the_log(caplog, redaction):
    log = logging.getLogger("services.video.test_probe")
    url = url_with_credentials("rtsp://10.0.0.1:554/live", CAMERA_USER, CAMERA_PASSWORD)
    log.info("opening %s", url)
    log.info("camera %s with password=%s", "QD0001-C01", CAMERA_PASSWORD)
    log.info("broken format %s %s", url)  # a bad call must not leak either
    try:
        raise ConnectionError(f"cannot open {url}")
    except ConnectionError:
        log.exception("stream failed")  # ERROR level, checked below
    records = [r for r in caplog.records if r.name == "services.video.test_probe"]
    assert len(records) == 4
    assert "rtsp://viewer-qd:***@10.0.0.1:554/live" in records[0].getMessage()
    for where in (caplog.text, *(r.getMessage() for r in records), *(r.exc_text or "" for r in records)):
        assert CAMERA_PASSWORD not in where
        assert "Cam%23Pass" not in where
    assert "cannot open rtsp://viewer-qd:***@" in caplog.text
    assert records[3].levelno == logging.ERROR and records[3].getMessage() == "stream failed"


def test_install_is_idempotent_and_covers_the_handlers():
    logger = logging.getLogger("services.access.test_idempotent")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        first = install_redaction(logger)
        assert install_redaction(logger) is first
        assert [f for f in handler.filters if isinstance(f, RedactingFilter)] == [first]
        assert [f for f in logger.filters if isinstance(f, RedactingFilter)] == [first]
        remove_redaction(first, logger)
        assert not handler.filters and not logger.filters
    finally:
        logger.removeHandler(handler)


# --- database URLs -------------------------------------------------------------------------


def test_the_database_password_comes_from_the_environment():
    env = {"SAFECAMPUS_DATABASE_PASSWORD": "p@ss/wörd:1"}
    url = database_url_from_environment("postgresql+psycopg://hub@db.local:5432/safecampus", env)
    assert make_url(url).password == "p@ss/wörd:1"
    assert make_url(url).host == "db.local" and make_url(url).database == "safecampus"
    # A URL with its own password keeps it; SQLite has none; no variable changes nothing.
    own = "postgresql+psycopg://hub:own@db/safecampus"
    assert database_url_from_environment(own, env) == own
    assert database_url_from_environment("sqlite:////var/lib/x.db", env) == "sqlite:////var/lib/x.db"
    plain = "postgresql+psycopg://hub@db/safecampus"
    assert database_url_from_environment(plain, {}) == plain
    with pytest.raises(ValueError, match="cannot be parsed") as excinfo:
        database_url_from_environment("::not a url::secret", env)
    assert "secret" not in str(excinfo.value)


def test_printable_database_url_hides_the_password():
    assert printable_database_url("postgresql+psycopg://hub:s3cret@db/safecampus") == (
        "postgresql+psycopg://hub:***@db/safecampus"
    )
    assert "s3cret" not in printable_database_url("weird://hub:s3cret@db")
    assert printable_database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
