import os
import stat

import pytest

from hardware.agent.cli import EXIT_CONFIG, main
from services.protocol import keys


def test_keygen_writes_a_0600_secret_and_prints_the_public_key(tmp_path, capsys):
    key_file = tmp_path / "agent.key"
    assert main(["keygen", "--key-file", str(key_file)]) == 0
    printed = capsys.readouterr().out.strip()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert printed.encode() == keys.load(key_file).public
    # A second keygen keeps the existing key: an enrolled agent must not lose its identity.
    assert main(["keygen", "--key-file", str(key_file)]) == 0
    assert capsys.readouterr().out.strip() == printed


@pytest.mark.expect_log(r"missing table \[hub\]")
def test_run_with_a_wrong_config_exits_with_a_clear_message(tmp_path, capsys):
    config = tmp_path / "agent.toml"
    config.write_text('school = "QD-0001"\n')
    assert main(["run", "--config", str(config)]) == EXIT_CONFIG
    assert "missing table [hub]" in capsys.readouterr().err


@pytest.mark.expect_log(r"is readable by others")
def test_run_refuses_a_secret_key_readable_by_others(tmp_path, capsys):
    key_file = tmp_path / "agent.key"
    keys.save(keys.generate(), key_file)
    os.chmod(key_file, 0o644)
    hub_key = keys.generate().public.decode()
    config = tmp_path / "agent.toml"
    config.write_text(
        f'school = "QD-0001"\n[hub]\nagent_endpoint = "tcp://127.0.0.1:9"\nenroll_endpoint = "tcp://127.0.0.1:9"\n'
        f'public_key = "{hub_key}"\n[agent]\nkey_file = "agent.key"\n'
    )
    assert main(["run", "--config", str(config)]) == EXIT_CONFIG
    assert "chmod 600" in capsys.readouterr().err
