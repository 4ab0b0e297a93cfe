"""safecampus-agent: run the school agent, enroll it, or make its key pair.

safecampus-agent keygen --key-file /var/lib/safecampus-agent/agent.key
safecampus-agent enroll --config /etc/safecampus/agent.toml --token TOKEN
safecampus-agent run --config /etc/safecampus/agent.toml
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from hardware.agent.agent import SchoolAgent, run_until_signalled
from hardware.agent.config import ConfigError, load_config
from hardware.agent.enroll import EnrollmentError, enroll
from hardware.agent.storage import StorageError
from services.access.secrets import install_redaction
from services.protocol import keys

log = logging.getLogger("safecampus.agent")

EXIT_OK, EXIT_CONFIG, EXIT_REFUSED, EXIT_PENDING = 0, 2, 3, 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safecampus-agent", description="SafeCampus school agent")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the agent until stopped")
    run.add_argument("--config", type=Path, required=True)
    en = sub.add_parser("enroll", help="enroll this agent's key with a one-time token")
    en.add_argument("--config", type=Path, required=True)
    en.add_argument("--token", required=True)
    en.add_argument("--wait", type=float, default=None, help="give up waiting for a decision after N seconds")
    en.add_argument("--poll", type=float, default=10.0, help="seconds between status polls")
    kg = sub.add_parser("keygen", help="make the key pair (secret 0600), print the public key")
    kg.add_argument("--key-file", type=Path, required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction()
    try:
        if args.command == "keygen":
            pair = keys.load_or_create(args.key_file)
            print(pair.public.decode())
            return EXIT_OK
        config = load_config(args.config)
        if args.command == "enroll":
            result = asyncio.run(
                enroll(
                    school=config.school,
                    token=args.token,
                    enroll_endpoint=config.enroll_endpoint,
                    hub_public_key=config.hub_public_key,
                    key_file=config.key_file,
                    poll_interval_s=args.poll,
                    wait_s=args.wait,
                )
            )
            print(f"{result.status} {result.detail}".strip())
            if result.status == "accepted":
                return EXIT_OK
            return EXIT_PENDING if result.status in ("pending", "conflict") else EXIT_REFUSED
        asyncio.run(run_until_signalled(SchoolAgent(config)))
        return EXIT_OK
    except (ConfigError, keys.KeyFileError, StorageError) as exc:
        log.error("%s", exc)
        print(f"safecampus-agent: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except EnrollmentError as exc:
        log.error("%s", exc)
        print(f"safecampus-agent: {exc}", file=sys.stderr)
        return EXIT_REFUSED
