import os

import pytest

from hardware.agent.config import ConfigError, load_config
from hardware.simulators.camera_sim import SimulatedCamera
from services.protocol import keys

KEY = keys.generate().public.decode()

GOOD = f"""
school = "QD-0001"
[hub]
agent_endpoint = "tcp://127.0.0.1:7701"
enroll_endpoint = "tcp://127.0.0.1:7702"
public_key = "{KEY}"
[agent]
outbox = "state/outbox.db"
backoff_max_s = 30
[[adapters]]
type = "camera_sim"
id = "cam-gate"
fault_rate_per_h = 2
[[adapters]]
type = "camera"
id = "cam-hall"
url = "rtsp://10.0.0.21/stream1"
"""


def _write(tmp_path, text):
    path = tmp_path / "agent.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_config_loads_with_paths_relative_to_the_file(tmp_path):
    config = load_config(_write(tmp_path, GOOD))
    assert config.school == "QD-0001"
    assert config.hub_public_key == KEY.encode()
    assert config.outbox == tmp_path / "state" / "outbox.db"
    assert config.key_file == tmp_path / "agent.key"
    assert config.backoff_max_s == 30.0
    adapters = config.build_adapters()
    assert isinstance(adapters[0], SimulatedCamera) and adapters[0].fault_rate_per_h == 2.0
    assert adapters[1].device_id == "cam-hall"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('school = "QD-0001"\n', ""), r"missing key 'school'"),
        (lambda t: t.replace(KEY, "short"), r"\[hub\] public_key: expected a 40-character Z85 CURVE key"),
        (
            lambda t: t.replace('"tcp://127.0.0.1:7701"', '"127.0.0.1:7701"'),
            r"agent_endpoint: expected tcp://",
        ),
        (
            lambda t: t.replace("backoff_max_s = 30", "backoff_max_s = -1"),
            r"backoff_max_s: expected a positive",
        ),
        (lambda t: t.replace("backoff_max_s = 30", "colour = 1"), r"\[agent\]: unknown key\(s\) colour"),
        (lambda t: t.replace('type = "camera_sim"', 'type = "laser"'), r"unknown adapter type 'laser'"),
        (
            lambda t: t.replace("fault_rate_per_h = 2", 'fault_rate_per_h = "often"'),
            r"'cam-gate'.*must be float",
        ),
        (lambda t: t.replace('url = "rtsp://10.0.0.21/stream1"', ""), r"'cam-hall': missing option 'url'"),
        (lambda t: t.replace('id = "cam-hall"', 'id = "cam-gate"'), r"duplicate device id 'cam-gate'"),
        (lambda t: t + "\n[hub\n", r"not valid TOML"),
    ],
)
def test_config_errors_name_the_place_and_the_problem(tmp_path, edit, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_config(_write(tmp_path, edit(GOOD)))
    assert str(tmp_path / "agent.toml") in str(info.value)


def test_a_missing_file_and_a_missing_hub_key_file_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "nope.toml")
    text = GOOD.replace(f'public_key = "{KEY}"', 'public_key_file = "hub.pub"')
    with pytest.raises(ConfigError, match="public_key_file: cannot read public key"):
        load_config(_write(tmp_path, text))
    (tmp_path / "hub.pub").write_text(KEY + "\n")
    assert load_config(_write(tmp_path, text)).hub_public_key == KEY.encode()
    assert os.path.exists(tmp_path / "hub.pub")
