"""`safecampus-hub operator ...` and `audit ...`: offline administration on the database."""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.access.accounts import authenticate, get_operator
from services.access.cli import add_subcommands, run
from services.db.access_models import AuditEntry
from services.hub import cli as hub_cli

ROOT_PW = "Setup-pass-2026"
ALICE_PW = "Desk-pass-7788"


@pytest.fixture(autouse=True)
def _login_name(monkeypatch):
    monkeypatch.setattr("services.access.cli._login_name", lambda: "setup-admin")


@pytest.fixture
def key_dir(tmp_path):
    return tmp_path / "hub-keys"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safecampus-hub")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    return parser


def _cli(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(_parser().parse_args(argv))


def _add(monkeypatch, database_url, key_dir, username, role, password, *extra):
    argv = ["operator", "add", username, "--role", role, "--database", database_url]
    argv += ["--key-dir", str(key_dir), "--password-stdin", *extra]
    return _cli(monkeypatch, argv, password + "\n")


def _entries(engine) -> list[AuditEntry]:
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        s.expunge_all()
    return list(rows)


@pytest.mark.expect_log(r"failed verification: entry 1 was changed")
def test_first_administrator_then_verify_then_tamper(
    engine, database_url, key_dir, monkeypatch, capsys, caplog
):
    code = _add(
        monkeypatch, database_url, key_dir, "root", "administrator", ROOT_PW, "--display-name", "管理员"
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["username"] == "root" and out["role"] == "administrator" and out["display_name"] == "管理员"
    with Session(engine) as s:
        assert authenticate(s, "root", ROOT_PW).ok
    (entry,) = _entries(engine)
    assert (entry.operator, entry.console, entry.action, entry.target, entry.result) == (
        "cli:setup-admin",
        "cli",
        "create_operator",
        "root",
        "ok",
    )
    assert (key_dir / "audit.key").exists() and (key_dir / "audit.anchor").exists()

    verify = ["audit", "verify", "--database", database_url, "--key-dir", str(key_dir)]
    assert _cli(monkeypatch, verify) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["checked"] == 1

    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET target = 'someone-else' WHERE seq = 1"))
    assert _cli(monkeypatch, verify) == 2
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and report["first_bad_seq"] == 1 and report["problem"] == "entry 1 was changed"
    # The password went in on stdin and never came out anywhere.
    captured = capsys.readouterr()
    assert ROOT_PW not in captured.out + captured.err + caplog.text


def test_operator_lifecycle_is_audited(engine, database_url, key_dir, monkeypatch, capsys):
    common = ["--database", database_url, "--key-dir", str(key_dir)]
    assert _add(monkeypatch, database_url, key_dir, "root", "administrator", ROOT_PW) == 0
    assert (
        _add(
            monkeypatch, database_url, key_dir, "viewer", "district_viewer", ALICE_PW, "--district", "370202"
        )
        == 0
    )
    assert (
        _cli(
            monkeypatch,
            ["operator", "passwd", "viewer", "--password-stdin", "--must-change", *common],
            "New-pass-2026\n",
        )
        == 0
    )
    assert _cli(monkeypatch, ["operator", "unlock", "viewer", *common]) == 0
    assert _cli(monkeypatch, ["operator", "disable", "viewer", *common]) == 0
    with Session(engine) as s:
        assert get_operator(s, "viewer").disabled
    assert _cli(monkeypatch, ["operator", "enable", "viewer", *common]) == 0
    with Session(engine) as s:
        viewer = get_operator(s, "viewer")
        assert not viewer.disabled and viewer.must_change_password and viewer.district_code == "370202"
        assert authenticate(s, "viewer", "New-pass-2026").ok
    capsys.readouterr()
    assert _cli(monkeypatch, ["operator", "list", "--database", database_url]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [o["username"] for o in listed] == ["root", "viewer"]
    actions = [(e.action, e.target, json.loads(e.detail)) for e in _entries(engine)]
    assert actions == [
        ("create_operator", "root", {"display_name": "root", "district_code": None, "role": "administrator"}),
        (
            "create_operator",
            "viewer",
            {"display_name": "viewer", "district_code": "370202", "role": "district_viewer"},
        ),
        ("reset_password", "viewer", {"must_change_password": True}),
        ("unlock_operator", "viewer", {}),
        ("update_operator", "viewer", {"disabled": True}),
        ("update_operator", "viewer", {"disabled": False}),
    ]
    assert all("New-pass" not in e.detail and ALICE_PW not in e.detail for e in _entries(engine))
    assert _cli(monkeypatch, ["audit", "verify", *common]) == 0


@pytest.mark.expect_log(r"the password must have at least 10 characters", r"last enabled administrator")
def test_refusals_are_reported_and_audited(engine, database_url, key_dir, monkeypatch, capsys):
    assert _add(monkeypatch, database_url, key_dir, "alice", "operator", "short") == 1
    assert "error: the password must have at least 10 characters" in capsys.readouterr().err
    assert _add(monkeypatch, database_url, key_dir, "root", "administrator", ROOT_PW) == 0
    common = ["--database", database_url, "--key-dir", str(key_dir)]
    assert _cli(monkeypatch, ["operator", "disable", "root", *common]) == 1
    assert "last enabled administrator" in capsys.readouterr().err
    failed = [
        (e.action, e.target, e.result, json.loads(e.detail)["error"])
        for e in _entries(engine)
        if e.result != "ok"
    ]
    assert failed == [
        ("create_operator", "alice", "failed", "weak_password"),
        ("update_operator", "root", "failed", "last_administrator"),
    ]
    assert _cli(monkeypatch, ["audit", "verify", *common]) == 0


@pytest.mark.expect_log(
    r"operator add needs --role",
    r"needs a user name",
    r"no database",
    r"two passwords differ",
    r"no operator named 'ghost'",
    r"no audit key",
    r"give --key-dir",
    r"needs --out",
)
def test_command_line_mistakes_exit_1_with_one_line(
    engine, database_url, key_dir, monkeypatch, capsys, tmp_path
):
    common = ["--database", database_url, "--key-dir", str(key_dir)]
    cases = [
        (["operator", "add", "alice", "--password-stdin", *common], "operator add needs --role"),
        (["operator", "unlock", *common], "operator unlock needs a user name"),
        (["operator", "list", "--database", ""], "no database"),
        (["operator", "unlock", "ghost", *common], "no operator named 'ghost'"),
        (
            ["audit", "verify", "--database", database_url, "--key-dir", str(tmp_path / "none")],
            "no audit key",
        ),
        (["operator", "unlock", "ghost", "--database", database_url], "give --key-dir"),
        (["audit", "export", *common], "audit export needs --out"),
    ]
    for argv, message in cases:
        assert _cli(monkeypatch, argv, "Some-password-1\n") == 1, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    prompts = iter(["First-pass-2026", "Other-pass-2026"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(prompts))
    assert _cli(monkeypatch, ["operator", "add", "alice", "--role", "operator", *common]) == 1
    assert "the two passwords differ" in capsys.readouterr().err


def test_password_by_prompt(engine, database_url, key_dir, monkeypatch):
    prompts: list[str] = []

    def fake_getpass(prompt=""):
        prompts.append(prompt)
        return ALICE_PW

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    argv = [
        "operator",
        "add",
        "alice",
        "--role",
        "operator",
        "--database",
        database_url,
        "--key-dir",
        str(key_dir),
    ]
    assert _cli(monkeypatch, argv) == 0
    assert len(prompts) == 2 and "alice" in prompts[0]
    with Session(engine) as s:
        assert authenticate(s, "alice", ALICE_PW).ok


def test_export_writes_csv_and_is_itself_audited(
    engine, database_url, key_dir, monkeypatch, capsys, tmp_path
):
    common = ["--database", database_url, "--key-dir", str(key_dir)]
    assert _add(monkeypatch, database_url, key_dir, "root", "administrator", ROOT_PW) == 0
    assert _add(monkeypatch, database_url, key_dir, "alice", "operator", ALICE_PW) == 0
    assert _cli(monkeypatch, ["operator", "unlock", "alice", *common]) == 0
    out = tmp_path / "audit.csv"
    argv = [
        "audit",
        "export",
        *common,
        "--out",
        str(out),
        "--action",
        "create_operator",
        "--since",
        "2020-01-01",
    ]
    assert _cli(monkeypatch, argv) == 0
    assert "2 entries written" in capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["seq"], r["target"]) for r in rows] == [("1", "root"), ("2", "alice")]
    last = _entries(engine)[-1]
    assert last.action == "audit_export" and last.target == str(out)
    assert json.loads(last.detail)["count"] == 2
    future = ["audit", "export", *common, "--out", str(out), "--since", "2999-01-01T00:00"]
    assert _cli(monkeypatch, future) == 0
    assert list(csv.reader(io.StringIO(out.read_text("utf-8-sig")))) == [
        ["seq", "time", "operator", "role", "console", "action", "target", "result", "detail", "mac"]
    ]
    assert _cli(monkeypatch, ["audit", "verify", *common]) == 0


@pytest.mark.expect_log(r"--since 'yesterday' is neither ISO 8601")
def test_a_bad_time_is_refused(engine, database_url, key_dir, monkeypatch, capsys, tmp_path):
    assert _add(monkeypatch, database_url, key_dir, "root", "administrator", ROOT_PW) == 0
    argv = ["audit", "export", "--database", database_url, "--key-dir", str(key_dir)]
    assert _cli(monkeypatch, [*argv, "--out", str(tmp_path / "x.csv"), "--since", "yesterday"]) == 1
    assert "neither ISO 8601" in capsys.readouterr().err


def test_the_hub_command_line_has_the_subcommands(engine, database_url, key_dir, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(ROOT_PW + "\n"))
    argv = ["operator", "add", "root", "--role", "administrator", "--password-stdin"]
    assert hub_cli.main([*argv, "--database", database_url, "--key-dir", str(key_dir)]) == 0
    capsys.readouterr()
    assert hub_cli.main(["audit", "verify", "--database", database_url, "--key-dir", str(key_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_the_database_url_may_come_from_the_environment(engine, database_url, key_dir, monkeypatch, capsys):
    monkeypatch.setenv("SAFECAMPUS_DATABASE_URL", database_url)
    assert _cli(monkeypatch, ["operator", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == []
