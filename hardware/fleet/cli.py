"""safecampus-fleet: thousands of simulated schools (the real agent, simulated devices) for a hub.

    safecampus-fleet run --hub-key-dir DIR --database URL --agents 3700 --processes 2 --folder F

The hub's key folder gives its public key, its endpoints (endpoints.json) and the admin key the
fleet uses to get enrollment tokens and accept its agents. Schools come from the hub's database
(the first N by id) or from --schools-file (one code a line). Status goes to stderr every
--report seconds until Ctrl-C.

Alarms: background rates per type (--alarm-rate for the gate's one-key alarm, --intrusion-rate,
--fire-rate, --camera-tamper-rate, --patrol-missed-rate; camera loss follows from camera faults),
and a flood: `--flood 1500/1200/50` raises 1,500 alarms over 1,200 s from the first 50 schools
(--flood-types intrusion,fire to mix types).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from hardware.fleet.admin import FleetAdminError, HubAdmin, HubClientError
from hardware.fleet.controller import Fleet, FleetError
from hardware.fleet.spec import Behaviour, Flood
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


def parse_flood(text: str) -> tuple[int, float, int]:
    """ "1500/1200/50" -> (alarms, seconds, schools)."""
    try:
        alarms, seconds, schools = text.split("/")
        parsed = (int(alarms), float(seconds), int(schools))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected ALARMS/SECONDS/SCHOOLS, e.g. 1500/1200/50, not {text!r}"
        ) from None
    if parsed[0] < 1 or parsed[1] <= 0 or parsed[2] < 1:
        raise argparse.ArgumentTypeError("a flood needs at least one alarm, one second and one school")
    return parsed


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
    run.add_argument("--alarm-rate", type=float, default=0.0, help="one-key alarms per school per hour")
    run.add_argument("--intrusion-rate", type=float, default=0.0, help="intrusion alarms per school per hour")
    run.add_argument("--fire-rate", type=float, default=0.0, help="fire alarms per school per hour")
    run.add_argument(
        "--camera-tamper-rate", type=float, default=0.0, help="tamper alarms per camera per hour"
    )
    run.add_argument(
        "--patrol-missed-rate", type=float, default=0.0, help="missed checkpoints per school per hour"
    )
    run.add_argument("--flood", type=parse_flood, help="ALARMS/SECONDS/SCHOOLS, e.g. 1500/1200/50")
    run.add_argument("--flood-types", default="intrusion", help="alarm types of the flood, comma-separated")
    run.add_argument("--flood-after", type=float, default=0.0, help="seconds after the start")
    run.add_argument("--camera-fault-rate", type=float, default=0.5, help="faults per camera per hour")
    run.add_argument("--cameras", type=int, default=2, help="simulated cameras per school")
    run.add_argument("--drop-fraction", type=float, default=0.01, help="share of agents dropping each cycle")
    run.add_argument(
        "--pa-record",
        action="store_true",
        help="simulated PAs record each playback (WAV + index.jsonl in each agent's pa-wav/)",
    )
    run.add_argument("--report", type=float, default=10.0)
    run.add_argument(
        "--exit-with",
        type=int,
        metavar="PID",
        help="stop when process PID is gone (the console that started this demo fleet)",
    )
    return p


def watch_parent(pid: int, stop: threading.Event, interval_s: float = 1.0) -> threading.Thread:
    """Set *stop* once process *pid* has gone: a demo fleet runs in its own session (so the
    console can stop it as a group) and would otherwise outlive a console that was killed."""

    def watch() -> None:
        while not stop.wait(interval_s):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                log.info("process %d is gone: stopping the fleet", pid)
                stop.set()
            except PermissionError:
                pass  # it exists, owned by someone else

    thread = threading.Thread(target=watch, name="fleet-parent-watch", daemon=True)
    thread.start()
    return thread


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
        flood = None
        if args.flood is not None:
            alarms, seconds, count = args.flood
            if count > len(schools):
                raise ValueError(f"--flood: {count} schools asked, the fleet has {len(schools)}")
            flood = Flood(
                alarms=alarms,
                over_s=seconds,
                schools=schools[:count],
                types=[t.strip() for t in args.flood_types.split(",") if t.strip()],
                start_after_s=args.flood_after,
            )
        behaviour = Behaviour(
            alarm_rate_per_h=args.alarm_rate,
            intrusion_rate_per_h=args.intrusion_rate,
            fire_rate_per_h=args.fire_rate,
            camera_tamper_rate_per_h=args.camera_tamper_rate,
            patrol_missed_rate_per_h=args.patrol_missed_rate,
            flood=flood,
            camera_fault_rate_per_h=args.camera_fault_rate,
            cameras_per_school=args.cameras,
            drop_fraction=args.drop_fraction,
            pa_record=args.pa_record,
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
    if args.exit_with is not None:
        watch_parent(args.exit_with, stop)
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
