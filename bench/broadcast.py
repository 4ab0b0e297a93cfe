"""bench.broadcast: one city-wide emergency broadcast to N simulated schools, proved school by school.

    python -m bench.broadcast --agents 3700 [--processes 2] [--rounds 3] [--clip alert_emergency]

Starts everything itself: a temporary SQLite city of N schools, the hub as a subprocess, the fleet
(N real agents over P processes, enrolled through the real flow) whose simulated amplifiers record
every playback as a WAV with an index line, and a console with the hub's local-admin CLI key.

Each round sends one city-wide emergency broadcast of a bundled clip, confirmed a second time the
way a console does (the first `broadcast_send` is answered `confirmation_required` with an id that
the second one carries), and follows it with `broadcast_status` until every school is final.

JSON: agents, all_playing_ms_max (send -> the last school's "playing": the agent's started_at, the
moment its first sample reached the amplifier; the worst round's maximum, so no round is hidden),
all_done_ms_max (likewise to the last "done" as the hub recorded it), ledger_matches (true when in
every round, for every school, the ledger's final state is what its amplifier recorded: "done"
exactly when the index says the broadcast played to the end and the WAV holds exactly the clip's
samples; nothing recorded when failed, unreachable or expired), plus per-round figures, the
playing latency's p50/p95 and the hub's CPU during the broadcasts. Per round, where the time goes:
hub_sent_ms_min/max (send -> the hub handed the start command to the first/last school's
connection, the hub's clock) and school_ms_p50/max (handed over -> the school's first sample at the
amplifier: the link, the agent's storing and answering, clip lookup, output opening). All clocks
are the one machine's wall clock.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
import wave
from pathlib import Path
from typing import Any

from bench._util import emit_result, percentile, progress
from bench.fleet import ConsoleView, prepare_city
from hardware.broadcast.audio import pcm_from_wav
from hardware.broadcast.clip_store import bundled_clips
from hardware.fleet.admin import HubAdmin
from hardware.fleet.controller import Fleet
from hardware.fleet.spec import Behaviour, agent_folder
from services.hub_client import HubClient, HubClientError
from services.protocol.console_messages import Reply

FINAL = frozenset({"done", "failed", "expired"})


def clip_of(clip_id: str) -> tuple[str, bytes]:
    for sha, clip in bundled_clips().items():
        if clip.clip_id == clip_id:
            return sha, pcm_from_wav(clip.path.read_bytes())
    raise SystemExit(f"bench.broadcast: no bundled clip {clip_id!r}")


def send_confirmed(client: HubClient, args: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Send, confirm as a console does, and return the reply and the moment of the confirmed send."""
    request_id = client.send_request("broadcast_send", args)
    while True:
        for event in client.poll(5.0):
            if isinstance(event, Reply) and event.request_id == request_id:
                if event.ok:
                    return event.result, time.time()
                if event.error_code != "confirmation_required":
                    raise RuntimeError(f"broadcast refused: {event.error_code}: {event.error}")
                sent_at = time.time()
                return client.request(
                    "broadcast_send", {**args, "confirmation": event.result["confirmation"]}
                ), sent_at


def wait_final(client: HubClient, broadcast_id: str, n: int, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    report = time.monotonic() + 5
    while True:
        status = client.request("broadcast_status", {"broadcast_id": broadcast_id}, timeout=60)
        finals = sum(1 for d in status["deliveries"] if d["state"] in FINAL)
        if len(status["deliveries"]) >= n and finals == len(status["deliveries"]):
            return status
        if time.monotonic() > deadline:
            progress(f"  deadline: {finals} of {n} final ({status['counts']})")
            return status
        if time.monotonic() > report:
            report += 5
            progress(f"  {status['counts']}")
        time.sleep(0.25)


def recorded(folder: Path, broadcast_id: str) -> list[dict[str, Any]]:
    index = folder / "pa-wav" / "index.jsonl"
    if not index.exists():
        return []
    lines = [json.loads(line) for line in index.read_text().splitlines() if line.strip()]
    return [entry for entry in lines if entry.get("broadcast_id") == broadcast_id]


def read_samples(path: Path) -> bytes:
    with wave.open(str(path), "rb") as reader:
        return reader.readframes(reader.getnframes())


def check_school(folder: Path, broadcast_id: str, state: str, clip_sha: str, clip_len: int) -> str:
    """ "" when the ledger agrees with what the amplifier recorded, else what differs."""
    plays = recorded(folder, broadcast_id)
    if state != "done":
        return f"ledger {state} but the amplifier played {len(plays)} times" if plays else ""
    if len(plays) != 1 or plays[0].get("outcome") != "done":
        return f"ledger done but the amplifier recorded {[p.get('outcome') for p in plays]}"
    samples = read_samples(folder / "pa-wav" / str(plays[0]["wav"]))
    if len(samples) != clip_len or hashlib.sha256(samples).hexdigest() != clip_sha:
        return f"ledger done but the WAV holds {len(samples)} bytes that are not the clip"
    return ""


def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.agents
    clip_sha, clip_pcm = clip_of(args.clip)
    pcm_sha = hashlib.sha256(clip_pcm).hexdigest()
    workdir, _database_url, schools, hub = prepare_city(n, "broadcast")
    key_dir = workdir / "hub"
    fleet: Fleet | None = None
    view: ConsoleView | None = None
    result: dict[str, Any] = {"agents": n, "processes": args.processes, "clip": args.clip}
    try:
        hub.start()
        fleet = Fleet(
            workdir / "fleet",
            schools,
            agent_endpoint=hub.ready["agent"],
            enroll_endpoint=hub.ready["enroll"],
            hub_public_key=hub.ready["public_key"].encode(),
            processes=args.processes,
            behaviour=Behaviour(
                pa_record=True,
                camera_fault_rate_per_h=0.0,
                backoff_initial_s=0.5,
                backoff_max_s=4.0,
                hello_timeout_s=30.0,
            ),
        )
        fleet.spawn()
        admin = HubAdmin(key_dir, console_endpoint=hub.ready["console"], operator="bench")
        try:
            fleet.enroll(admin)
        finally:
            admin.close()
        view = ConsoleView(key_dir, hub.ready["console"])
        start = time.monotonic()
        fleet.start_agents()
        view.wait_online(n, args.timeout, fleet)
        result["connect_all_s"] = round(time.monotonic() - start, 3)
        progress(f"all {n} online in {result['connect_all_s']} s")
        client = view.client
        playing_max: list[float] = []
        done_max: list[float] = []
        playing_all: list[float] = []
        mismatches: list[str] = []
        rounds = []
        cpu0, wall0 = hub.cpu_seconds(), time.monotonic()
        for r in range(args.rounds):
            time.sleep(args.settle)
            request = {
                "target": {"all": True},
                "clip": clip_sha,
                "priority": "emergency",
                "title": f"bench.broadcast round {r + 1}",
            }
            reply, sent_at = send_confirmed(client, request)
            broadcast_id = str(reply["broadcast_id"])
            status = wait_final(client, broadcast_id, n, args.deadline)
            rows = status["deliveries"]
            playing = [(d["started_at"] - sent_at) * 1000 for d in rows if d.get("started_at") is not None]
            # Where the time goes: the hub (send -> the start command handed to each school's
            # connection) and the school (handed over -> first sample at the amplifier).
            hub_ms = [(d["sent_at"] - sent_at) * 1000 for d in rows if d.get("sent_at") is not None]
            school_ms = [
                (d["started_at"] - d["sent_at"]) * 1000
                for d in rows
                if d.get("started_at") is not None and d.get("sent_at") is not None
            ]
            done = [(d["at"] - sent_at) * 1000 for d in rows if d["state"] == "done"]
            playing_all += playing
            if len(playing) == n:
                playing_max.append(max(playing))
            if len(done) == n:
                done_max.append(max(done))
            for d in rows:
                problem = check_school(
                    agent_folder(workdir / "fleet", d["school"]),
                    broadcast_id,
                    d["state"],
                    pcm_sha,
                    len(clip_pcm),
                )
                if problem:
                    mismatches.append(f"{d['school']}: {problem}")
            rounds.append(
                {
                    "counts": status["counts"],
                    "playing_ms_max": round(max(playing), 1) if playing else None,
                    "hub_sent_ms_min": _round(min(hub_ms) if hub_ms else None),
                    "hub_sent_ms_max": _round(max(hub_ms) if hub_ms else None),
                    "school_ms_p50": _round(percentile(school_ms, 50)),
                    "school_ms_max": _round(max(school_ms) if school_ms else None),
                    "done_ms_max": round(max(done), 1) if done else None,
                }
            )
            progress(f"round {r + 1}: {rounds[-1]}")
        result["hub_cpu_cores"] = round((hub.cpu_seconds() - cpu0) / max(time.monotonic() - wall0, 1e-6), 3)
        result["all_playing_ms_max"] = round(max(playing_max), 1) if playing_max else None
        result["all_done_ms_max"] = round(max(done_max), 1) if done_max else None
        result["ledger_matches"] = not mismatches and len(playing_max) == args.rounds
        result["playing_ms_p50"] = _round(percentile(playing_all, 50))
        result["playing_ms_p95"] = _round(percentile(playing_all, 95))
        result["clip_s"] = round(len(clip_pcm) / 32000, 3)
        result["rounds"] = rounds
        if mismatches:
            result["mismatches"] = mismatches[:20]
    except HubClientError as exc:
        result["error"] = str(exc)
    finally:
        if view is not None:
            view.close()
        if fleet is not None:
            fleet.stop()
        hub.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.broadcast", description=__doc__.split("\n")[0] if __doc__ else ""
    )
    parser.add_argument("--agents", type=int, default=3700)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clip", default="alert_emergency", help="a bundled clip id (resources/audio)")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds before each round")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds a round may take")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for all agents to come online")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    emit_result(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
