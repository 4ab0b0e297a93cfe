"""The agent's TOML config file, checked completely before anything starts.

```toml
school = "QD-0001"                       # the school's code (School.code on the hub)

[hub]
agent_endpoint = "tcp://hub.example:7701"
enroll_endpoint = "tcp://hub.example:7702"
public_key = "<40-character Z85 CURVE key>"   # or public_key_file = "/etc/safecampus/hub.pub"

[agent]                                   # every key optional
key_file = "/var/lib/safecampus-agent/agent.key"
outbox = "/var/lib/safecampus-agent/outbox.db"
hello_timeout_s = 30.0
backoff_initial_s = 1.0
backoff_max_s = 60.0
health_poll_s = 30.0

[[adapters]]
type = "camera"                           # or camera_sim, pa, pa_sim, alarm_input, ...
id = "cam-gate"
url = "rtsp://10.0.0.21/stream1"
```
Every mistake becomes a `ConfigError` naming the file, the key and what was expected.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardware.adapters.base import AdapterOptionError, DeviceAdapter
from hardware.adapters.registry import make_adapter
from services.protocol.keys import KeyFileError, read_public

_Z85_CHARS = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
)


class ConfigError(ValueError):
    """The config file is wrong; the message says where and how."""


@dataclass(frozen=True)
class AdapterConfig:
    type: str
    device_id: str
    options: dict[str, Any]

    def build(self) -> DeviceAdapter:
        return make_adapter(self.type, self.device_id, self.options)


@dataclass(frozen=True)
class AgentConfig:
    school: str
    agent_endpoint: str
    enroll_endpoint: str
    hub_public_key: bytes
    key_file: Path
    outbox: Path
    adapters: tuple[AdapterConfig, ...] = ()
    hello_timeout_s: float = 30.0
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    health_poll_s: float = 30.0
    outbox_sync: str = "full"
    zmq_heartbeat_s: float = 10.0
    extra: dict[str, Any] = field(default_factory=dict)

    def build_adapters(self) -> list[DeviceAdapter]:
        return [a.build() for a in self.adapters]


def load_config(path: Path) -> AgentConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(data, path)


def parse_config(data: dict[str, Any], source: Path) -> AgentConfig:
    where = str(source)
    root = dict(data)
    school = _take(root, "school", str, where, required=True)
    if not school.strip():
        raise ConfigError(f"{where}: 'school' must not be empty")
    hub = _table(root, "hub", where, required=True)
    agent = _table(root, "agent", where, required=False)
    adapters_raw = root.pop("adapters", [])
    if root:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(root))} (expected school, hub, agent, adapters)"
        )

    hub_where = f"{where} [hub]"
    agent_endpoint = _endpoint(
        _take(hub, "agent_endpoint", str, hub_where, required=True), hub_where, "agent_endpoint"
    )
    enroll_endpoint = _endpoint(
        _take(hub, "enroll_endpoint", str, hub_where, required=True), hub_where, "enroll_endpoint"
    )
    key_text = _take(hub, "public_key", str, hub_where)
    key_file = _take(hub, "public_key_file", str, hub_where)
    _no_more(hub, hub_where)
    if (key_text is None) == (key_file is None):
        raise ConfigError(f"{hub_where}: give exactly one of public_key or public_key_file")
    if key_text is not None:
        public_key = key_text.strip().encode()
        if len(public_key) != 40 or not set(key_text.strip()) <= _Z85_CHARS:
            raise ConfigError(
                f"{hub_where} public_key: expected a 40-character Z85 CURVE key, got {key_text!r}"
            )
    else:
        try:
            public_key = read_public(_resolve(source, key_file))
        except KeyFileError as exc:
            raise ConfigError(f"{hub_where} public_key_file: {exc}") from exc

    agent_where = f"{where} [agent]"
    base = source.parent
    key_path = _resolve(source, _take(agent, "key_file", str, agent_where) or str(base / "agent.key"))
    outbox = _resolve(source, _take(agent, "outbox", str, agent_where) or str(base / "outbox.db"))
    numbers = {
        name: _positive(agent, name, default, agent_where)
        for name, default in (
            ("hello_timeout_s", 30.0),
            ("backoff_initial_s", 1.0),
            ("backoff_max_s", 60.0),
            ("health_poll_s", 30.0),
            ("zmq_heartbeat_s", 10.0),
        )
    }
    if numbers["backoff_max_s"] < numbers["backoff_initial_s"]:
        raise ConfigError(f"{agent_where}: backoff_max_s must be >= backoff_initial_s")
    sync = _take(agent, "outbox_sync", str, agent_where) or "full"
    if sync not in ("full", "normal"):
        raise ConfigError(f"{agent_where} outbox_sync: expected 'full' or 'normal', got {sync!r}")
    _no_more(agent, agent_where)

    if not isinstance(adapters_raw, list):
        raise ConfigError(f"{where}: 'adapters' must be an array of tables ([[adapters]])")
    adapters: list[AdapterConfig] = []
    seen: set[str] = set()
    for index, raw in enumerate(adapters_raw, start=1):
        a_where = f"{where} adapter #{index}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{a_where}: must be a table")
        options = dict(raw)
        type_name = _take(options, "type", str, a_where, required=True)
        device_id = _take(options, "id", str, a_where, required=True)
        if device_id in seen:
            raise ConfigError(f"{a_where}: duplicate device id {device_id!r}")
        seen.add(device_id)
        a_where = f"{where} adapter {device_id!r}"
        config = AdapterConfig(type_name, device_id, options)
        try:
            config.build()  # validate every option now, not at the first start
        except AdapterOptionError as exc:
            raise ConfigError(f"{a_where}: {exc}") from exc
        adapters.append(config)
    return AgentConfig(
        school=school.strip(),
        agent_endpoint=agent_endpoint,
        enroll_endpoint=enroll_endpoint,
        hub_public_key=public_key,
        key_file=key_path,
        outbox=outbox,
        adapters=tuple(adapters),
        hello_timeout_s=numbers["hello_timeout_s"],
        backoff_initial_s=numbers["backoff_initial_s"],
        backoff_max_s=numbers["backoff_max_s"],
        health_poll_s=numbers["health_poll_s"],
        zmq_heartbeat_s=numbers["zmq_heartbeat_s"],
        outbox_sync=sync,
    )


def _resolve(source: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (source.parent / path)


def _table(data: dict[str, Any], name: str, where: str, *, required: bool) -> dict[str, Any]:
    if name not in data:
        if required:
            raise ConfigError(f"{where}: missing table [{name}]")
        return {}
    value = data.pop(name)
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return dict(value)


def _take(data: dict[str, Any], name: str, kind: type, where: str, *, required: bool = False) -> Any:
    if name not in data:
        if required:
            raise ConfigError(f"{where}: missing key {name!r}")
        return None
    value = data.pop(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"{where} {name}: expected {kind.__name__}, got {type(value).__name__} {value!r}")
    return value


def _positive(data: dict[str, Any], name: str, default: float, where: str) -> float:
    if name not in data:
        return default
    value = data.pop(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{where} {name}: expected a positive number of seconds, got {value!r}")
    return float(value)


def _endpoint(value: str, where: str, name: str) -> str:
    if not value.startswith(("tcp://", "ipc://")) or value.endswith(":"):
        raise ConfigError(f"{where} {name}: expected tcp://HOST:PORT (or ipc://PATH), got {value!r}")
    return value


def _no_more(data: dict[str, Any], where: str) -> None:
    if data:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(data))}")
