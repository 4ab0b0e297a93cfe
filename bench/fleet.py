"""bench.fleet: the hub with N CURVE-authenticated simulated agents (the real agent code).

    python -m bench.fleet --agents 3700 [--processes 2] [--rounds 5]

Starts everything itself: a temporary SQLite database seeded with the demo city (N schools), the
hub as a subprocess (`python -m services.hub run`), the fleet (N agents over P processes) enrolled
through the real enrollment flow before timing. Then measures:
- connect_all_s: fleet start -> the console sees all N online (hub_client snapshot + updates);
- command_ack_all_ms_p50/_max: "ping" to all schools, issue -> every delivery done as the
  console sees it through the hub's updates, over several rounds;
- raw_ack_all_ms_max: bare pyzmq ROUTER + N CURVE DEALERs (same N, P processes), ping -> all pongs;
- status_msgs_per_s: K status messages from every agent, fenced by a ping to all (the hub handles
  one connection's messages in order, so all pings done = every status handled);
- hub_cpu_cores, hub_rss_mb: from /proc of the hub process over the measured phases;
- reconnect_all_s: kill -9 of the hub -> restarted hub sees all N online again;
- events_sent / events_stored / lost_events: events raised by every agent before, during and
  after the kill; rows in the events table at the end.
Progress on stderr; one JSON object last on stdout.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import zmq
from sqlalchemy import text

from bench._util import emit_result, percentile, progress
from hardware.fleet.admin import HubAdmin
from hardware.fleet.controller import Fleet
from hardware.fleet.spec import Behaviour
from services.db.engine import open_database
from services.hub_client import HubClient
from services.protocol import keys
from services.protocol.console_messages import Reply, Snapshot, Update

REPO = Path(__file__).resolve().parents[1]


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- database -------------------------------------------------------------------------------


def seed(database_url: str, count: int) -> list[str]:
    engine = open_database(database_url)
    try:
        try:
            from services.demo_city.seeding import seed_demo_city

            seed_demo_city(engine, schools=count)
        except (ImportError, ValueError) as exc:
            progress(f"demo city not used ({exc}); inserting minimal schools")
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO districts (id, adcode, name, name_en) VALUES (1, '370202', 'A', 'A')")
                )
                conn.execute(
                    text(
                        "INSERT INTO schools (id, code, name, district_id, school_type, address, longitude,"
                        " latitude, student_count, staff_count, is_pilot, is_demo) VALUES (:id, :code, :code,"
                        " 1, 'primary', '', 120.3, 36.1, 0, 0, false, true)"
                    ),
                    [{"id": i, "code": f"BENCH-{i:05d}"} for i in range(1, count + 1)],
                )
        with engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(text("SELECT code FROM schools ORDER BY id")).all()]
    finally:
        engine.dispose()


def count_events(database_url: str, source: str) -> int:
    engine = open_database(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT COUNT(*) FROM events WHERE source = :s"), {"s": source}
                ).scalar_one()
            )
    finally:
        engine.dispose()


# --- the hub process ------------------------------------------------------------------------


class HubProcess:
    def __init__(self, database_url: str, key_dir: Path, ports: tuple[int, int, int]) -> None:
        self.args = [
            sys.executable,
            "-m",
            "services.hub",
            "run",
            "--database",
            database_url,
            "--key-dir",
            str(key_dir),
            "--agent-endpoint",
            f"tcp://127.0.0.1:{ports[0]}",
            "--enroll-endpoint",
            f"tcp://127.0.0.1:{ports[1]}",
            "--console-endpoint",
            f"tcp://127.0.0.1:{ports[2]}",
        ]
        self.key_dir = key_dir
        self.proc: subprocess.Popen[str] | None = None
        self.ready: dict[str, str] = {}
        self.log = open(key_dir.parent / "hub.log", "a")  # noqa: SIM115 - closed in stop()

    def start(self, timeout_s: float = 120.0) -> None:
        self.proc = subprocess.Popen(
            self.args,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            preexec_fn=raise_fd_limit,  # only sets a resource limit in the child
        )
        deadline = time.monotonic() + timeout_s
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the hub exited ({self.proc.poll()}); see {self.log.name}")
            if line.startswith("HUB READY"):
                self.ready = dict(part.split("=", 1) for part in line.split()[2:])
                threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()
                return
        raise RuntimeError("the hub did not get ready in time")

    @staticmethod
    def _drain(stream: Any) -> None:
        for _ in stream:
            pass

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


# --- the console's view ---------------------------------------------------------------------


class ConsoleView:
    """Presence and deliveries as a console sees them: snapshot plus sequenced updates."""

    def __init__(self, key_dir: Path, endpoint: str) -> None:
        self.client = HubClient(
            endpoint,
            keys.read_public(key_dir / "hub.pub"),
            keys.load(key_dir / "cli.key"),
            "bench.fleet",
            "bench",
        )
        self.client.connect(timeout=30)
        self.online: set[str] = set()
        self.done: dict[str, set[str]] = {}
        self.client.subscribe()

    def pump(self, timeout: float = 0.05) -> list[Reply]:
        replies = []
        for event in self.client.poll(timeout):
            if isinstance(event, Snapshot):
                self.online = {p.school for p in event.presence if p.presence == "online"}
            elif isinstance(event, Update):
                for p in event.presence:
                    (self.online.add if p.presence == "online" else self.online.discard)(p.school)
                for d in event.deliveries:
                    if d.state == "done":
                        self.done.setdefault(d.command_id, set()).add(d.school)
            elif isinstance(event, Reply):
                replies.append(event)
        return replies

    def wait_online(self, n: int, timeout_s: float, fleet: Fleet | None = None) -> float:
        start = time.monotonic()
        report = start + 5
        while len(self.online) < n:
            if time.monotonic() - start > timeout_s:
                raise RuntimeError(f"only {len(self.online)} of {n} online after {timeout_s:.0f} s")
            self.pump(0.1)
            if time.monotonic() > report:
                report += 5
                agents = f" (the fleet says {fleet.status()['connected']} connected)" if fleet else ""
                progress(f"  {len(self.online)} / {n} online{agents}")
        return time.monotonic() - start

    def ping_all(self, n: int, timeout_s: float = 120.0) -> float:
        """Issue a ping to every school; ms until the console has seen all N done."""
        start = time.monotonic()
        request_id = self.client.send_request(
            "send_command", {"target": {"all": True}, "action": "ping", "args": {}, "ttl_s": 120.0}
        )
        command_id = ""
        while not command_id:
            for reply in self.pump(0.05):
                if reply.request_id == request_id:
                    if not reply.ok:
                        raise RuntimeError(f"send_command refused: {reply.error}")
                    command_id = str(reply.result["command_id"])
            if time.monotonic() - start > timeout_s:
                raise RuntimeError("no reply to send_command")
        while len(self.done.get(command_id, ())) < n:
            if time.monotonic() - start > timeout_s:
                raise RuntimeError(f"ping: {len(self.done.get(command_id, ()))} of {n} done in time")
            self.pump(0.05)
        return (time.monotonic() - start) * 1000

    def close(self) -> None:
        self.client.close()


# --- the raw reference ----------------------------------------------------------------------


def raw_ack_rounds(n: int, processes: int, rounds: int) -> list[float]:
    server = keys.generate()
    ctx = zmq.Context(io_threads=1)
    router = ctx.socket(zmq.ROUTER)
    router.curve_server = True
    router.curve_secretkey, router.curve_publickey = server.secret, server.public
    router.setsockopt(zmq.ROUTER_MANDATORY, 1)
    router.setsockopt(zmq.ROUTER_HANDOVER, 1)
    router.linger = 0
    port = router.bind_to_random_port("tcp://127.0.0.1")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.fleet_raw",
                f"tcp://127.0.0.1:{port}",
                server.public.decode(),
                str(n // processes + (1 if i < n % processes else 0)),
                f"p{i}",
            ],
            cwd=REPO,
        )
        for i in range(processes)
    ]
    seen: set[bytes] = set()
    try:
        deadline = time.monotonic() + 300
        while len(seen) < n and time.monotonic() < deadline:
            if router.poll(1000):
                seen.add(router.recv_multipart()[0])
        peers = sorted(seen)
        if len(peers) < n:
            raise RuntimeError(f"raw: only {len(peers)} of {n} dealers connected")
        times = []
        for _ in range(rounds):
            start = time.monotonic()
            for peer in peers:
                _send_retrying(router, peer, b"ping")
            got = 0
            while got < n:
                router.recv_multipart()
                got += 1
            times.append((time.monotonic() - start) * 1000)
        for peer in peers:
            _send_retrying(router, peer, b"bye")
    finally:
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        router.close(linger=0)
        ctx.term()
    return times


def _send_retrying(router: zmq.Socket[bytes], peer: bytes, frame: bytes) -> None:
    """ROUTER_MANDATORY: a peer in the middle of reconnecting is retried briefly, not dropped."""
    for _ in range(200):
        try:
            router.send_multipart([peer, frame])
            return
        except zmq.ZMQError as exc:
            if exc.errno != zmq.EHOSTUNREACH:
                raise
            time.sleep(0.01)
    raise RuntimeError(f"raw peer {peer!r} unreachable")


# --- the benchmark --------------------------------------------------------------------------


def prepare_city(n: int, name: str) -> tuple[Path, str, list[str], HubProcess]:
    """A fresh folder with a seeded city of *n* schools and a (not yet started) hub process on
    free ports: what every fleet benchmark starts from. Returns (folder, database URL, school
    codes, hub)."""
    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    database_url = f"sqlite:///{workdir / 'hub.db'}"
    progress(f"seeding {n} schools in {database_url}")
    schools = seed(database_url, n)[:n]
    if len(schools) < n:
        raise RuntimeError(f"only {len(schools)} schools in the database")
    hub = HubProcess(database_url, workdir / "hub", (free_port(), free_port(), free_port()))
    return workdir, database_url, schools, hub


def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.agents
    workdir, database_url, schools, hub = prepare_city(n, "fleet")
    key_dir = workdir / "hub"
    fleet: Fleet | None = None
    view: ConsoleView | None = None
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
                camera_fault_rate_per_h=0.0, backoff_initial_s=0.5, backoff_max_s=4.0, hello_timeout_s=30.0
            ),
        )
        fleet.spawn()
        t = time.monotonic()
        admin = HubAdmin(key_dir, console_endpoint=hub.ready["console"], operator="bench")
        try:
            fleet.enroll(admin)
        finally:
            admin.close()
        progress(f"enrolled {n} agents in {time.monotonic() - t:.1f} s")

        view = ConsoleView(key_dir, hub.ready["console"])
        view.pump(0.5)
        cpu0, wall0 = hub.cpu_seconds(), time.monotonic()
        progress("starting the fleet")
        start = time.monotonic()
        fleet.start_agents()
        view.wait_online(n, args.timeout, fleet)
        result["connect_all_s"] = round(time.monotonic() - start, 3)
        progress(f"all {n} online in {result['connect_all_s']} s")

        acks = []
        hub_cpu_pings = hub.cpu_seconds()
        fleet_cpu = fleet.request_all("profile", on=True) if args.profile else fleet.request_all("cpu")
        for r in range(args.rounds):
            acks.append(view.ping_all(n))
            progress(f"  ping round {r + 1}: {acks[-1]:.0f} ms")
        if args.profile:
            fleet_cpu_end = fleet.request_all("profile", on=False, path=str(Path(args.profile).resolve()))
            progress(f"worker profiles written to {args.profile}.<worker>")
        else:
            fleet_cpu_end = fleet.request_all("cpu")
        result["command_ack_all_ms_p50"] = round(percentile(acks, 50) or 0, 1)
        result["command_ack_all_ms_max"] = round(max(acks), 1)
        # Where a round's CPU goes: every worker's and the hub's, per ping round.
        result["fleet_cpu_ms_per_round"] = round(
            sum(e["cpu_s"] - s["cpu_s"] for s, e in zip(fleet_cpu, fleet_cpu_end, strict=True))
            * 1000
            / args.rounds,
            1,
        )
        result["hub_cpu_ms_per_round"] = round((hub.cpu_seconds() - hub_cpu_pings) * 1000 / args.rounds, 1)

        per_agent = args.status_burst
        t = time.monotonic()
        sent = sum(a["sent"] for a in fleet.request_all("burst_status", per_agent=per_agent))
        view.ping_all(n)
        elapsed = time.monotonic() - t
        result["status_msgs_per_s"] = round((sent + n * 4) / elapsed, 1)  # + the fence: 3 acks and a ping
        progress(f"status burst: {sent} status messages handled in {elapsed:.2f} s")

        cpu1, wall1 = hub.cpu_seconds(), time.monotonic()
        result["hub_cpu_cores"] = round((cpu1 - cpu0) / (wall1 - wall0), 3)
        result["hub_rss_mb"] = round(hub.rss_mb(), 1)

        # Events through a kill -9 of the hub.
        events_sent = 0
        events_sent += sum(
            len(v) for a in fleet.request_all("raise", per_agent=1) for v in a["events"].values()
        )
        view.close()
        view = None
        progress("kill -9 the hub")
        kill_at = time.monotonic()
        hub.kill()
        events_sent += sum(
            len(v) for a in fleet.request_all("raise", per_agent=1) for v in a["events"].values()
        )
        hub.start()
        events_sent += sum(
            len(v) for a in fleet.request_all("raise", per_agent=1) for v in a["events"].values()
        )
        view = ConsoleView(key_dir, hub.ready["console"])
        view.wait_online(n, args.timeout, fleet)
        result["reconnect_all_s"] = round(time.monotonic() - kill_at, 3)
        progress(f"all {n} online again {result['reconnect_all_s']} s after the kill")
        deadline = time.monotonic() + args.timeout
        while (backlog := fleet.status()["backlog"]) > 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        progress(f"fleet outbox backlog: {backlog}")
        time.sleep(1.0)  # the hub's database writer commits in batches
        raw = raw_ack_rounds(n, args.processes, args.rounds)
        result["raw_ack_all_ms_max"] = round(max(raw), 1)
        result["raw_ack_all_ms_p50"] = round(percentile(raw, 50) or 0, 1)
        result["ratio_to_raw"] = round(
            result["command_ack_all_ms_max"] / max(result["raw_ack_all_ms_max"], 0.001), 2
        )
        stored = count_events(database_url, "fleet")
        result["events_sent"] = events_sent
        result["events_stored"] = stored
        result["lost_events"] = max(0, events_sent - stored)
        result["duplicate_events"] = max(0, stored - events_sent)
    finally:
        if view is not None:
            view.close()
        if fleet is not None:
            fleet.stop()
        hub.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.fleet", description=__doc__.split("\n")[0] if __doc__ else ""
    )
    parser.add_argument("--agents", type=int, default=3700)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--status-burst", type=int, default=10, help="status messages per agent in the burst")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--profile", metavar="PATH", help="cProfile the fleet workers during the ping rounds (PATH.<worker>)"
    )
    args = parser.parse_args(argv)
    emit_result(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
