"""bench.alarm: alarms raised at simulated schools under full fleet load, as a console sees them.

    python -m bench.alarm --agents 3700 [--alarms 300] [--over 60] [--processes 2]

Starts everything itself: a temporary SQLite database with N schools, the hub as a subprocess, the
fleet (N real agents with simulated devices over P processes, enrolled through the real flow) doing
its normal load (heartbeats, device status, simulated camera faults), and a console: a HubClient
with the hub's local-admin CLI key, subscribed, in its own thread so it notes the moment each
update arrives.

Then it raises --alarms alarms spread evenly over --over seconds at randomly chosen schools (some
schools more than once, so grouping into one incident is exercised), each through the school's
simulated device that raises that alarm type (the fleet's "alarm" request), and measures for every
alarm the time from the agent's clock at the alarm to the console receiving an update whose
incidents include it. An incident's alarm_count tells how many alarms of its school and type it
holds, so the k-th alarm of a school and type is seen when the console's incidents of that school
and type hold k alarms. The same alarms in the update's `events` list (the stored-event path) are
timed alongside as event_to_console_ms_*.

JSON: agents, alarms, alarm_to_console_ms_p50, alarm_to_console_ms_p99, lost (alarms the console
never saw within --deadline seconds), plus the max, the event path's numbers, connect_all_s and the
hub's CPU while alarms were raised. Progress on stderr; one JSON object last on stdout.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench._util import emit_result, percentile, progress
from bench.fleet import prepare_city
from hardware.fleet.admin import HubAdmin
from hardware.fleet.controller import Fleet
from hardware.fleet.spec import Behaviour
from services.db.engine import open_database
from services.hub_client import HubClient
from services.protocol import keys
from services.protocol.console_messages import Snapshot, Update

# The simulated device each alarm type comes from in a fleet school (hardware/fleet/worker.py):
# the `events` list names the source device, not the alarm type.
SOURCE_OF_TYPE = {
    "one_key": "alarm-1",
    "intrusion": "intrusion-1",
    "fire": "fire-1",
    "camera_tamper": "cam-1",
    "patrol_missed": "patrol-1",
}

Key = tuple[str, str]  # (school, alarm type)


class ConsoleWatcher(threading.Thread):
    """A console in its own thread: notes when each alarm shows up in incidents and in events."""

    def __init__(self, key_dir: Path, endpoint: str) -> None:
        super().__init__(name="bench-alarm-console", daemon=True)
        self.key_dir = key_dir
        self.endpoint = endpoint
        self.ready = threading.Event()
        self._stop = threading.Event()
        self.lock = threading.Lock()
        self.online: set[str] = set()
        self.failure: BaseException | None = None
        self._incident_counts: dict[str, int] = {}
        # For each (school, type): when the console's incidents first held 1, 2, ... alarms.
        self.incident_seen: dict[Key, list[float]] = defaultdict(list)
        self.incidents: set[str] = set()
        # For each (school, source device): when each alarm event arrived.
        self.event_seen: dict[Key, list[float]] = defaultdict(list)
        self.updates = 0

    def run(self) -> None:
        try:
            # The client's socket belongs to this thread: create, use and close it here.
            client = HubClient(
                self.endpoint,
                keys.read_public(self.key_dir / "hub.pub"),
                keys.load(self.key_dir / "cli.key"),
                "bench.alarm",
                "bench",
            )
            try:
                client.connect(timeout=30)
                client.subscribe()
                self.ready.set()
                while not self._stop.is_set():
                    messages = client.poll(0.05)
                    now = time.time()
                    with self.lock:
                        for message in messages:
                            if isinstance(message, Snapshot | Update):
                                self._take(message, now)
            finally:
                client.close()
        except BaseException as exc:  # reported by the main thread
            self.failure = exc
            self.ready.set()

    def _take(self, message: Snapshot | Update, now: float) -> None:
        if isinstance(message, Snapshot):
            self.online = {p.school for p in message.presence if p.presence == "online"}
        else:
            self.updates += 1
            for p in message.presence:
                (self.online.add if p.presence == "online" else self.online.discard)(p.school)
            for event in message.events:
                if event.kind == "alarm":
                    self.event_seen[(event.school, event.source)].append(now)
        for incident in message.incidents:
            self.incidents.add(incident.incident_id)
            before = self._incident_counts.get(incident.incident_id, 0)
            if incident.alarm_count > before:
                self._incident_counts[incident.incident_id] = incident.alarm_count
                self.incident_seen[(incident.school, incident.alarm_type)].extend(
                    [now] * (incident.alarm_count - before)
                )

    def online_count(self) -> int:
        with self.lock:
            return len(self.online)

    def stop(self) -> None:
        self._stop.set()
        self.join(10)


def plan_alarms(
    schools: list[str], count: int, types: list[str], rng: random.Random
) -> list[tuple[str, str]]:
    """*count* (school, type) pairs; about a third of the alarms repeat an earlier school and type."""
    pool = rng.sample(schools, min(len(schools), max(1, (count * 2) // 3)))
    return [(rng.choice(pool), types[i % len(types)]) for i in range(count)]


def latencies(raised: dict[Key, list[float]], seen: dict[Key, list[float]], source_key: Any) -> list[float]:
    """Latency in ms of each raised alarm that was seen; the k-th raised is matched to the k-th seen."""
    out: list[float] = []
    for key, times in raised.items():
        arrivals = seen.get(source_key(key), [])
        out.extend((arrival - at) * 1000 for at, arrival in zip(sorted(times), arrivals, strict=False))
    return out


def wait_online(watcher: ConsoleWatcher, n: int, timeout_s: float, fleet: Fleet) -> None:
    start = time.monotonic()
    report = start + 5
    while (online := watcher.online_count()) < n:
        if watcher.failure is not None:
            raise RuntimeError(f"console failed: {watcher.failure}")
        if time.monotonic() - start > timeout_s:
            raise RuntimeError(f"only {online} of {n} online after {timeout_s:.0f} s")
        time.sleep(0.1)
        if time.monotonic() > report:
            report += 5
            progress(f"  {online} / {n} online (the fleet says {fleet.status()['connected']} connected)")


def raise_spread(
    fleet: Fleet, plan: list[tuple[str, str]], over_s: float
) -> tuple[dict[Key, list[float]], int]:
    """Raise the planned alarms evenly over *over_s*; returns agent-side times by key and the count."""
    raised: dict[Key, list[float]] = defaultdict(list)
    step = over_s / max(1, len(plan))
    start = time.monotonic()
    index = 0
    total = 0
    next_report = start + 10
    while index < len(plan):
        due_until = int((time.monotonic() - start) / step) + 1
        batch = plan[index : min(len(plan), due_until)]
        index += len(batch)
        if batch:
            for answer in fleet.request_all("alarm", alarms=[list(pair) for pair in batch]):
                for school, alarm_type, at in answer["raised"]:
                    raised[(school, alarm_type)].append(float(at))
                    total += 1
        if time.monotonic() > next_report:
            next_report += 10
            progress(f"  {total} alarms raised")
        wait = start + index * step - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    return raised, total


def agent_to_hub_ms(database_url: str) -> list[float]:
    """Where the time goes: the agent's clock at each stored alarm to the hub receiving it."""
    engine = open_database(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT occurred_at, received_at FROM events WHERE kind = 'alarm'")
            ).all()
    finally:
        engine.dispose()
    return [(float(received) - float(occurred)) * 1000 for occurred, received in rows]


def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.agents
    types = [t.strip() for t in args.types.split(",") if t.strip()]
    unknown = [t for t in types if t not in SOURCE_OF_TYPE]
    if unknown or not types:
        raise SystemExit(f"bench.alarm: --types must be among {', '.join(SOURCE_OF_TYPE)}, not {unknown}")
    workdir, database_url, schools, hub = prepare_city(n, "alarm")
    key_dir = workdir / "hub"
    fleet: Fleet | None = None
    watcher: ConsoleWatcher | None = None
    result: dict[str, Any] = {"agents": n, "processes": args.processes}
    try:
        hub.start()
        progress(f"hub ready: {hub.ready}")
        fleet = Fleet(
            workdir / "fleet",
            schools,
            agent_endpoint=hub.ready["agent"],
            enroll_endpoint=hub.ready["enroll"],
            hub_public_key=hub.ready["public_key"].encode(),
            processes=args.processes,
            behaviour=Behaviour(
                # The normal load: heartbeats, device status, cameras failing now and then.
                camera_fault_rate_per_h=args.camera_fault_rate,
                cameras_per_school=2,
                backoff_initial_s=0.5,
                backoff_max_s=4.0,
                hello_timeout_s=30.0,
            ),
            seed=args.seed,
        )
        fleet.spawn()
        t = time.monotonic()
        admin = HubAdmin(key_dir, console_endpoint=hub.ready["console"], operator="bench")
        try:
            fleet.enroll(admin)
        finally:
            admin.close()
        progress(f"enrolled {n} agents in {time.monotonic() - t:.1f} s")

        watcher = ConsoleWatcher(key_dir, hub.ready["console"])
        watcher.start()
        watcher.ready.wait(60)
        if watcher.failure is not None:
            raise RuntimeError(f"console failed: {watcher.failure}")
        progress("starting the fleet")
        start = time.monotonic()
        fleet.start_agents()
        wait_online(watcher, n, args.timeout, fleet)
        result["connect_all_s"] = round(time.monotonic() - start, 3)
        progress(f"all {n} online in {result['connect_all_s']} s; settling {args.settle:g} s")
        time.sleep(args.settle)

        plan = plan_alarms(schools, args.alarms, types, random.Random(args.seed))
        progress(f"raising {len(plan)} alarms ({', '.join(types)}) over {args.over:g} s")
        cpu0, wall0 = hub.cpu_seconds(), time.monotonic()
        raised, total = raise_spread(fleet, plan, args.over)
        hub_cpu = (hub.cpu_seconds() - cpu0) / max(time.monotonic() - wall0, 1e-6)

        def seen_all() -> bool:
            with watcher.lock:
                # The event path is slower (after the database commit): wait for it too.
                return all(
                    len(watcher.incident_seen.get(k, ())) >= len(v)
                    and len(watcher.event_seen.get((k[0], SOURCE_OF_TYPE[k[1]]), ())) >= len(v)
                    for k, v in raised.items()
                )

        deadline = time.monotonic() + args.deadline
        while not seen_all() and time.monotonic() < deadline:
            time.sleep(0.1)
        with watcher.lock:
            incident_ms = latencies(raised, watcher.incident_seen, lambda k: k)
            event_ms = latencies(raised, watcher.event_seen, lambda k: (k[0], SOURCE_OF_TYPE[k[1]]))
            incidents_seen = len(watcher.incidents)
        result["alarms"] = total
        result["alarm_to_console_ms_p50"] = _rounded(percentile(incident_ms, 50))
        result["alarm_to_console_ms_p99"] = _rounded(percentile(incident_ms, 99))
        result["alarm_to_console_ms_max"] = _rounded(max(incident_ms) if incident_ms else None)
        result["lost"] = total - len(incident_ms)
        result["incidents_seen"] = incidents_seen
        result["event_to_console_ms_p50"] = _rounded(percentile(event_ms, 50))
        result["event_to_console_ms_p99"] = _rounded(percentile(event_ms, 99))
        result["events_lost"] = total - len(event_ms)
        time.sleep(1.0)  # the hub stores events in batches
        to_hub = agent_to_hub_ms(database_url)
        result["agent_to_hub_ms_p50"] = _rounded(percentile(to_hub, 50))
        result["agent_to_hub_ms_p99"] = _rounded(percentile(to_hub, 99))
        result["alarm_types"] = types
        result["over_s"] = args.over
        result["hub_cpu_cores"] = round(hub_cpu, 3)
        progress(
            f"{total} alarms: p50 {result['alarm_to_console_ms_p50']} ms, p99 "
            f"{result['alarm_to_console_ms_p99']} ms, lost {result['lost']} ({incidents_seen} incidents)"
        )
    finally:
        if watcher is not None:
            watcher.stop()
        if fleet is not None:
            fleet.stop()
        hub.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.alarm", description=__doc__.split("\n")[0] if __doc__ else ""
    )
    parser.add_argument("--agents", type=int, default=3700)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--alarms", type=int, default=300, help="alarms raised in total")
    parser.add_argument("--over", type=float, default=60.0, help="seconds the alarms are spread over")
    parser.add_argument("--types", default="one_key,intrusion,fire", help="alarm types, comma-separated")
    parser.add_argument(
        "--camera-fault-rate", type=float, default=0.5, help="background faults per camera per hour"
    )
    parser.add_argument(
        "--settle", type=float, default=5.0, help="seconds between all online and the first alarm"
    )
    parser.add_argument(
        "--deadline", type=float, default=15.0, help="seconds after the last alarm until lost"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for all agents to come online")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    emit_result(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
