"""`safecampus-hub camera-credentials set|clear|list`: camera logins, encrypted, audited."""

from __future__ import annotations

import argparse
import getpass
import io
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access.cli import add_subcommands, run
from services.access.secrets import SecretBox, camera_credentials, secrets_key_path
from services.db.access_models import AuditEntry, CameraCredential
from services.db.models import Camera, District, School, SchoolType
from services.db.repository import get_school_detail

CAMERA_PASSWORD = "Gate-cam#7731"
CAMERA_USER = "nvr-viewer"


@pytest.fixture(autouse=True)
def _login_name(monkeypatch):
    monkeypatch.setattr("services.access.cli._login_name", lambda: "setup-admin")


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "hub-keys"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "console-data" / "secrets.key"


@pytest.fixture
def cameras(engine) -> dict[str, int]:
    """Two cameras of one school; the second came from a CSV naming its login "nvr-login"."""
    with Session(engine) as s:
        district = District(adcode="370202", name="市南区", name_en="Shinan")
        school = School(
            code="QD0001",
            name="青岛第一实验小学",
            district=district,
            school_type=SchoolType.PRIMARY,
            longitude=120.38,
            latitude=36.07,
        )
        gate = Camera(
            code="QD0001-C01",
            school=school,
            name="校门",
            main_stream_url="http://10.0.0.1/main.ts",
            sub_stream_url="http://10.0.0.1/sub.ts",
        )
        yard = Camera(
            code="QD0001-C02",
            school=school,
            name="操场",
            main_stream_url="http://10.0.0.2/main.ts",
            sub_stream_url="http://10.0.0.2/sub.ts",
            credential_ref="nvr-login",
        )
        s.add_all([district, school, gate, yard])
        s.commit()
        return {"gate": gate.id, "yard": yard.id, "school": school.id}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safecampus-hub")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    return parser


def _cli(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(_parser().parse_args(argv))


def _entries(engine) -> list[AuditEntry]:
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        s.expunge_all()
    return list(rows)


def _credential_ref(engine, camera_id: int) -> str | None:
    with Session(engine) as s:
        return s.scalar(select(Camera.credential_ref).where(Camera.id == camera_id))


def test_set_list_clear_with_audit_and_has_credentials(
    engine, database_url, cameras, key_dir, key_file, monkeypatch, capsys, caplog
):
    common = ["--database", database_url, "--key-dir", str(key_dir), "--key-file", str(key_file)]
    set_gate = ["camera-credentials", "set", "QD0001-C01", "--username", CAMERA_USER, "--password-stdin"]
    assert _cli(monkeypatch, [*set_gate, *common], CAMERA_PASSWORD + "\n") == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"camera": "QD0001-C01", "username": CAMERA_USER, "key_file": str(key_file)}
    # The key file was made on first use, private from its first byte.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    box = SecretBox.load_or_create(key_file, create=False)
    with Session(engine) as s:
        assert camera_credentials(s, box, cameras["gate"]) == (CAMERA_USER, CAMERA_PASSWORD)
    # The camera now says it has a login, by a marker that is not itself secret.
    assert _credential_ref(engine, cameras["gate"]) == "vault:QD0001-C01"
    detail = get_school_detail(engine, cameras["school"])
    assert detail is not None
    assert [c.has_credentials for c in detail.cameras] == [True, True]

    # A login replacing the CSV's credential name takes the vault marker too.
    set_yard = ["camera-credentials", "set", "QD0001-C02", "--username", "admin", "--password-stdin"]
    assert _cli(monkeypatch, [*set_yard, *common], "Yard-pass-2026\n") == 0
    assert _credential_ref(engine, cameras["yard"]) == "vault:QD0001-C02"
    capsys.readouterr()

    assert (
        _cli(
            monkeypatch,
            ["camera-credentials", "list", "--database", database_url, "--key-file", str(key_file)],
        )
        == 0
    )
    listed = capsys.readouterr().out
    assert json.loads(listed) == [
        {"camera": "QD0001-C01", "username": CAMERA_USER},
        {"camera": "QD0001-C02", "username": "admin"},
    ]
    assert CAMERA_PASSWORD not in listed

    assert _cli(monkeypatch, ["camera-credentials", "clear", "QD0001-C01", *common]) == 0
    assert json.loads(capsys.readouterr().out) == {"camera": "QD0001-C01", "cleared": True}
    assert _credential_ref(engine, cameras["gate"]) is None
    with Session(engine) as s:
        assert s.get(CameraCredential, cameras["gate"]) is None
    assert _cli(monkeypatch, ["camera-credentials", "clear", "QD0001-C01", *common]) == 0
    assert json.loads(capsys.readouterr().out)["cleared"] is False

    actions = [
        (e.operator, e.console, e.action, e.target, e.result, json.loads(e.detail)) for e in _entries(engine)
    ]
    assert actions == [
        ("cli:setup-admin", "cli", "set_camera_credentials", "QD0001-C01", "ok", {"username": CAMERA_USER}),
        ("cli:setup-admin", "cli", "set_camera_credentials", "QD0001-C02", "ok", {"username": "admin"}),
        ("cli:setup-admin", "cli", "clear_camera_credentials", "QD0001-C01", "ok", {}),
        ("cli:setup-admin", "cli", "clear_camera_credentials", "QD0001-C01", "ok", {}),
    ]
    assert _cli(monkeypatch, ["audit", "verify", "--database", database_url, "--key-dir", str(key_dir)]) == 0
    captured = capsys.readouterr()
    assert CAMERA_PASSWORD not in captured.out + captured.err + caplog.text
    assert all(CAMERA_PASSWORD not in e.detail for e in _entries(engine))


def test_the_password_is_never_an_argument(database_url, cameras, key_dir, key_file, monkeypatch, capsys):
    for option in ("--password", "--pass", "--pw"):
        argv = ["camera-credentials", "set", "QD0001-C01", "--username", "u", option, CAMERA_PASSWORD]
        with pytest.raises(SystemExit):
            _parser().parse_args(argv)
    assert CAMERA_PASSWORD not in capsys.readouterr().out
    # Without --password-stdin it is asked twice at a prompt, which names the camera.
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return CAMERA_PASSWORD

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    argv = ["camera-credentials", "set", "QD0001-C01", "--username", CAMERA_USER, "--database", database_url]
    assert _cli(monkeypatch, [*argv, "--key-dir", str(key_dir), "--key-file", str(key_file)]) == 0
    assert len(prompts) == 2 and "QD0001-C01" in prompts[0]
    assert CAMERA_PASSWORD not in " ".join(prompts)


def test_the_default_key_file_is_in_the_consoles_data_folder(
    engine, database_url, cameras, key_dir, monkeypatch, capsys, tmp_path
):
    assert secrets_key_path(tmp_path) == tmp_path / "secrets.key"
    default = secrets_key_path()
    assert default.name == "secrets.key" and default.parent.name == "SafeCampus"
    # Without --key-file the CLI uses that one function's answer.
    data_dir = tmp_path / "console-data"
    monkeypatch.setattr("services.access.cli.secrets_key_path", lambda: secrets_key_path(data_dir))
    argv = ["camera-credentials", "set", "QD0001-C01", "--username", CAMERA_USER, "--password-stdin"]
    argv += ["--database", database_url, "--key-dir", str(key_dir)]
    assert _cli(monkeypatch, argv, CAMERA_PASSWORD + "\n") == 0
    assert json.loads(capsys.readouterr().out)["key_file"] == str(data_dir / "secrets.key")
    box = SecretBox.load_or_create(data_dir / "secrets.key", create=False)
    with Session(engine) as s:
        assert camera_credentials(s, box, cameras["gate"]) == (CAMERA_USER, CAMERA_PASSWORD)


@pytest.mark.expect_log(
    r"no camera with the code 'NOPE'",
    r"needs --username",
    r"needs a camera code",
    r"there is no secrets key",
    r"no password on stdin",
)
def test_mistakes_exit_1_and_an_unknown_camera_is_audited(
    engine, database_url, cameras, key_dir, key_file, monkeypatch, capsys, tmp_path
):
    common = ["--database", database_url, "--key-dir", str(key_dir), "--key-file", str(key_file)]
    cases = [
        (
            ["camera-credentials", "set", "NOPE", "--username", "u", "--password-stdin", *common],
            "no camera with the code 'NOPE'",
        ),
        (["camera-credentials", "set", "QD0001-C01", "--password-stdin", *common], "needs --username"),
        (["camera-credentials", "clear", *common], "camera-credentials clear needs a camera code"),
        (
            [
                "camera-credentials",
                "list",
                "--database",
                database_url,
                "--key-file",
                str(tmp_path / "none.key"),
            ],
            "there is no secrets key",
        ),
    ]
    for argv, message in cases:
        assert _cli(monkeypatch, argv, "Some-pass-2026\n") == 1, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    blank = ["camera-credentials", "set", "QD0001-C01", "--username", "u", "--password-stdin", *common]
    assert _cli(monkeypatch, blank, "\n") == 1
    assert "no password on stdin" in capsys.readouterr().err
    assert not (tmp_path / "none.key").exists()  # listing never invents a key
    (entry,) = _entries(engine)
    assert (entry.action, entry.target, entry.result) == ("set_camera_credentials", "NOPE", "failed")
    assert json.loads(entry.detail)["error"] == "unknown_camera"
    with Session(engine) as s:
        assert s.scalars(select(CameraCredential)).all() == []


def test_list_with_another_key_shows_the_camera_but_no_user_name(
    engine, database_url, cameras, key_dir, key_file, monkeypatch, capsys, tmp_path
):
    argv = ["camera-credentials", "set", "QD0001-C01", "--username", CAMERA_USER, "--password-stdin"]
    common = ["--database", database_url, "--key-dir", str(key_dir), "--key-file", str(key_file)]
    assert _cli(monkeypatch, [*argv, *common], CAMERA_PASSWORD + "\n") == 0
    other = tmp_path / "other" / "secrets.key"
    SecretBox.load_or_create(other)
    capsys.readouterr()
    assert (
        _cli(
            monkeypatch, ["camera-credentials", "list", "--database", database_url, "--key-file", str(other)]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [{"camera": "QD0001-C01", "username": None}]
