"""The console's school-network options, and a console on a shared hub (its own key)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from console.cli import UsageError, parse_options
from services.protocol import keys
from tests.console.hub.conftest import DEMO_ADMIN, DEMO_ADMIN_PASSWORD

pytestmark = pytest.mark.gui


def test_default_is_the_embedded_hub_and_the_login_name(monkeypatch):
    monkeypatch.setattr("console.cli.login_name", lambda: "zhangsan")
    options = parse_options([], environ={})
    assert options.hub_endpoint is None and options.hub_public_key is None
    assert options.operator == "zhangsan"
    assert not options.no_fleet


def test_a_shared_hub_needs_its_public_key(tmp_path):
    key = tmp_path / "hub.pub"
    options = parse_options(
        ["--hub", "tcp://hub.example:7703", "--hub-public-key", str(key), "--operator", "王伟"], environ={}
    )
    assert options.hub_endpoint == "tcp://hub.example:7703"
    assert options.hub_public_key == key
    assert options.operator == "王伟"
    with pytest.raises(UsageError, match="--hub needs --hub-public-key"):
        parse_options(["--hub", "tcp://hub.example:7703"], environ={})
    with pytest.raises(UsageError, match="tcp://HOST:PORT"):
        parse_options(["--hub", "hub.example", "--hub-public-key", str(key)], environ={})
    with pytest.raises(UsageError, match="--hub-public-key needs --hub"):
        parse_options(["--hub-public-key", str(key)], environ={})
    with pytest.raises(UsageError, match="--operator"):
        parse_options(["--operator", "  "], environ={})


def make_remote_console(qapp, tmp_path, hub, key_file, user: str = DEMO_ADMIN):
    from console.app import Console

    (tmp_path / "hub-copy.pub").write_bytes(hub.public_key + b"\n")
    options = parse_options(
        [
            *("--language", "en", "--no-dialogs", "--operator", "李娜", "--user", user),
            *("--hub", hub.console_endpoint, "--hub-public-key", str(tmp_path / "hub-copy.pub")),
            *("--console-key", str(key_file), "--database", hub.config.database_url),
        ],
        environ={},
    )
    return Console(qapp, replace(options), tmp_path / "remote-data")


def test_a_console_on_a_shared_hub_uses_its_own_key_and_logs_in(
    qapp, qtbot, tmp_path, hub, console_keys, monkeypatch
):
    monkeypatch.setenv("SAFECAMPUS_PASSWORD", DEMO_ADMIN_PASSWORD)
    console = make_remote_console(qapp, tmp_path, hub, tmp_path / "console" / "console.key")
    try:
        with qtbot.waitSignal(console.interactive, timeout=60_000):
            console.start()
        status = console.window.status
        endpoint = hub.console_endpoint.removeprefix("tcp://")
        qtbot.waitUntil(lambda: status.hub_label.text() == f"Hub: connected ({endpoint})", timeout=10_000)
        assert console.network.embedded is None
        qtbot.waitUntil(lambda: console.network.bridge.operator == DEMO_ADMIN, timeout=10_000)
        assert console.network.bridge.link.operator == "李娜"  # the workstation user, in the hello
        assert console.login.operator.role == "administrator"
        assert "演示管理员" in status.operator_label.text()
    finally:
        console.shutdown()
        console.window.deleteLater()


@pytest.mark.expect_log(r"refused this console")
def test_a_console_whose_key_is_not_allowed_shows_refused(qapp, qtbot, tmp_path, hub, caplog):
    stranger = tmp_path / "stranger" / "console.key"
    keys.load_or_create(stranger)
    console = make_remote_console(qapp, tmp_path, hub, stranger)
    try:
        with qtbot.waitSignal(console.interactive, timeout=60_000):
            console.start()
        status = console.window.status
        qtbot.waitUntil(lambda: "refused" in status.hub_label.text(), timeout=10_000)
        assert status.hub_label.text() == (
            "Hub: not connected (refused: this console's key is not allowed on the hub)"
        )
        assert "refused this console" in caplog.text
    finally:
        console.shutdown()
        console.window.deleteLater()
