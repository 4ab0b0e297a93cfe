"""safecampus-fleet: thousands of simulated schools (the real agent, simulated devices) for a hub.

    safecampus-fleet run --hub-key-dir DIR --database URL --agents 3700 --processes 2 --folder F

The hub's key folder gives its public key, its endpoints (endpoints.json) and the admin key the
fleet uses to get enrollment tokens and accept its agents. Schools come from the hub's database
(the first N by id) or from --schools-file (one code a line). Status goes to stderr every
--report seconds until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from hardware.fleet.admin import FleetAdminError, HubAdmin, HubClientError
from hardware.fleet.controller import Fleet, FleetError
from hardware.fleet.spec import Behaviour
from services.protocol import keys

log = logging.getLogger("safecampus.fleet")


def school_codes(database_url: str, limit: int) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT code FROM schools ORDER BY id LIMIT :n"), {"n": limit}).all()
    finally:
        engine.dispose()
    return [str(r[0]) for r in rows]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="safecampus-fleet", description="SafeCampus fleet simulator")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="enroll (first time) and run the fleet until Ctrl-C")
    run.add_argument("--hub-key-dir", type=Path, required=True)
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--database", help="the hub's database URL, to read school codes from")
    source.add_argument("--schools-file", type=Path)
    run.add_argument("--agents", type=int, default=3700)
    run.add_argument("--processes", type=int, default=2)
    run.add_argument("--folder", type=Path, required=True, help="keys and outboxes of the simulated agents")
    run.add_argument("--alarm-rate", type=float, default=0.0, help="alarms per agent per hour")
    run.add_argument("--camera-fault-rate", type=float, default=0.5, help="faults per camera per hour")
    run.add_argument("--cameras", type=int, default=2, help="simulated cameras per school")
    run.add_argument("--drop-fraction", type=float, default=0.01, help="share of agents dropping each cycle")
    run.add_argument("--report", type=float, default=10.0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        key_dir: Path = args.hub_key_dir
        endpoints = json.loads((key_dir / "endpoints.json").read_text())
        hub_key = keys.read_public(key_dir / "hub.pub")
        if args.database:
            schools = school_codes(args.database, args.agents)
        else:
            schools = [s.strip() for s in args.schools_file.read_text().splitlines() if s.strip()][
                : args.agents
            ]
        behaviour = Behaviour(
            alarm_rate_per_h=args.alarm_rate,
            camera_fault_rate_per_h=args.camera_fault_rate,
            cameras_per_school=args.cameras,
            drop_fraction=args.drop_fraction,
        )
        fleet = Fleet(
            args.folder,
            schools,
            agent_endpoint=endpoints["agent"],
            enroll_endpoint=endpoints["enroll"],
            hub_public_key=hub_key,
            processes=args.processes,
            behaviour=behaviour,
        )
    except (OSError, KeyError, ValueError, keys.KeyFileError, SQLAlchemyError, FleetError) as exc:
        print(f"safecampus-fleet: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        fleet.spawn()
        admin = HubAdmin(key_dir)
        try:
            enrolled = fleet.enroll(admin)
        finally:
            admin.close()
        log.info("%d agents newly enrolled; starting %d agents", enrolled, len(schools))
        fleet.start_agents()
        while not stop.wait(args.report):
            log.info("fleet: %s", fleet.status())
    except (FleetError, FleetAdminError, HubClientError) as exc:
        print(f"safecampus-fleet: {exc}", file=sys.stderr)
        return 1
    finally:
        fleet.stop()
    return 0
