"""`safecampus-hub`: run the hub, or administer a running one.

    safecampus-hub run --database URL --key-dir DIR [--agent-endpoint EP ...]
    safecampus-hub token create --key-dir DIR --school CODE [--ttl SECONDS]
    safecampus-hub agents list --key-dir DIR [--status pending]
    safecampus-hub accept|reject|revoke --key-dir DIR KEY
    safecampus-hub console-key add --key-dir DIR KEY --name NAME
    safecampus-hub command send --key-dir DIR (--school CODE ... | --district ADCODE | --all) --do ping
    safecampus-hub command status --key-dir DIR COMMAND_ID

Admin commands talk to the running hub over its console socket with the hub's own CLI key
(DIR/cli.key, created and allowed by `run`), so every change takes effect at once and is recorded
with the operator's name (--operator, default: the login name).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from services.access import cli as access_cli
from services.access.secrets import install_redaction
from services.hub.config import HubConfig
from services.hub.server import Hub, HubError
from services.hub_client import HubClient, HubClientError
from services.protocol import keys

log = logging.getLogger("services.hub.cli")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", True) else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    install_redaction()
    if args.command == "run":
        return _run(args)
    if args.command in access_cli.COMMANDS:
        return access_cli.run(args)
    try:
        return _admin(args)
    except (HubClientError, keys.KeyFileError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safecampus-hub", description="SafeCampus hub (school network)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the hub")
    run.add_argument(
        "--database", required=True, help="SQLAlchemy URL, e.g. sqlite:////var/lib/safecampus/hub.db"
    )
    run.add_argument("--key-dir", required=True, type=Path)
    run.add_argument("--agent-endpoint", default=HubConfig.agent_endpoint)
    run.add_argument("--enroll-endpoint", default=HubConfig.enroll_endpoint)
    run.add_argument("--console-endpoint", default=HubConfig.console_endpoint)
    run.add_argument(
        "--console-key",
        action="append",
        default=[],
        type=Path,
        help="public key file of a console allowed to connect (repeatable)",
    )
    run.add_argument("--heartbeat-interval", type=float, default=HubConfig.heartbeat_interval_s)
    run.add_argument("--late-after", type=float, default=HubConfig.late_after_s)
    run.add_argument("--offline-after", type=float, default=HubConfig.offline_after_s)
    run.add_argument("--io-threads", type=int, default=HubConfig.io_threads)

    def admin(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--key-dir", required=True, type=Path)
        p.add_argument("--console-endpoint", default="", help="default: from DIR/endpoints.json")
        p.add_argument("--operator", default=_login_name())
        p.add_argument("--timeout", type=float, default=10.0)
        return p

    token = admin("token", "enrollment tokens")
    token.add_argument("action", choices=["create"])
    token.add_argument("--school", required=True)
    token.add_argument("--ttl", type=float, default=86400.0)

    agents = admin("agents", "enrolled agents")
    agents.add_argument("action", choices=["list"])
    agents.add_argument("--status", default="", choices=["", "pending", "accepted", "rejected", "revoked"])

    for decision in ("accept", "reject", "revoke"):
        p = admin(decision, f"{decision} an agent key")
        p.add_argument("public_key")

    console_key = admin("console-key", "console keys")
    console_key.add_argument("action", choices=["add"])
    console_key.add_argument("public_key")
    console_key.add_argument("--name", required=True)

    command = admin("command", "commands to schools")
    command.add_argument("action", choices=["send", "status"])
    command.add_argument("command_id", nargs="?", default="")
    command.add_argument("--school", action="append", default=[])
    command.add_argument("--district", action="append", default=[])
    command.add_argument("--all", action="store_true")
    command.add_argument("--do", dest="command_action", default="ping", help="the command's action")
    command.add_argument("--args", default="{}", help="JSON object of arguments")
    command.add_argument("--ttl", type=float, default=300.0)

    access_cli.add_subcommands(sub)  # operator ..., audit ...: offline, on the database itself
    return parser


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _run(args: argparse.Namespace) -> int:
    console_keys = tuple(keys.read_public(path) for path in args.console_key)
    config = HubConfig(
        database_url=args.database,
        key_dir=args.key_dir,
        agent_endpoint=args.agent_endpoint,
        enroll_endpoint=args.enroll_endpoint,
        console_endpoint=args.console_endpoint,
        heartbeat_interval_s=args.heartbeat_interval,
        late_after_s=args.late_after,
        offline_after_s=args.offline_after,
        console_public_keys=console_keys,
        io_threads=args.io_threads,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        hub = Hub(config)
        hub.start()
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"HUB READY agent={hub.agent_endpoint} enroll={hub.enroll_endpoint} "
        f"console={hub.console_endpoint} public_key={hub.public_key.decode()}",
        flush=True,
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("stopping the hub")
        hub.stop()
    return 0


def _client(args: argparse.Namespace) -> HubClient:
    key_dir: Path = args.key_dir
    endpoint = args.console_endpoint
    public_key = keys.read_public(key_dir / "hub.pub")
    if not endpoint:
        endpoints = json.loads((key_dir / "endpoints.json").read_text())
        endpoint = endpoints["console"]
    client = HubClient(
        endpoint, public_key, keys.load(key_dir / "cli.key"), "safecampus-hub cli", args.operator
    )
    client.connect(timeout=args.timeout)
    return client


def _admin(args: argparse.Namespace) -> int:
    client = _client(args)
    try:
        result = _admin_request(client, args)
    finally:
        client.close()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _admin_request(client: HubClient, args: argparse.Namespace) -> dict[str, Any]:
    timeout = args.timeout
    if args.command == "token":
        return client.request("create_token", {"school": args.school, "ttl_s": args.ttl}, timeout=timeout)
    if args.command == "agents":
        return client.request("list_agents", {"status": args.status}, timeout=timeout)
    if args.command in ("accept", "reject", "revoke"):
        return client.request(
            "decide_enrollment", {"public_key": args.public_key, "decision": args.command}, timeout=timeout
        )
    if args.command == "console-key":
        return client.request(
            "add_console_key", {"public_key": args.public_key, "name": args.name}, timeout=timeout
        )
    if args.command == "command":
        if args.action == "status":
            if not args.command_id:
                raise ValueError("command status needs a command id")
            return client.request("command_status", {"command_id": args.command_id}, timeout=timeout)
        command_args = json.loads(args.args)
        if not isinstance(command_args, dict):
            raise ValueError("--args must be a JSON object")
        target = {"schools": args.school, "districts": args.district, "all": args.all}
        return client.request(
            "send_command",
            {"target": target, "action": args.command_action, "args": command_args, "ttl_s": args.ttl},
            timeout=timeout,
        )
    raise ValueError(f"unknown command {args.command}")
