"""safecampus-streams: the camera stream simulator (main and sub streams of many cameras).

    safecampus-streams --cameras 324 [--port 8554] [--prerender]
    safecampus-streams --database sqlite:///city.db [--limit 324]

Serves http://HOST:PORT/cam/{code}/{stream}.ts (stream: main or sub). Once listening it prints one
readiness line on stdout, "safecampus-streams ready <url template> cameras=<n>", and runs until
SIGINT or SIGTERM, then closes every connection and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from platformdirs import user_cache_dir
from sqlalchemy.exc import SQLAlchemyError

from hardware.streams.cameras import database_cameras, numbered_cameras
from hardware.streams.render import ClipRenderer, FeedLabel, RenderError
from hardware.streams.server import StreamServer
from services.db.engine import DatabaseError

log = logging.getLogger("safecampus.streams")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="safecampus-streams", description="SafeCampus camera stream simulator")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--cameras", type=int, help="serve N numbered cameras SIM-0001 ...")
    source.add_argument("--database", help="serve the cameras in this database whose URLs point here")
    p.add_argument("--limit", type=int, default=None, help="with --database: at most this many cameras")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8554, help="0 picks a free port (see the readiness line)")
    p.add_argument("--cache-dir", type=Path, default=Path(user_cache_dir("safecampus")) / "streams")
    p.add_argument("--prerender", action="store_true", help="render every sub clip before reporting ready")
    p.add_argument("--render-jobs", type=int, default=2, help="ffmpeg renders running at once")
    return p


async def serve(labels: dict[str, FeedLabel], args: argparse.Namespace) -> None:
    server = StreamServer(labels, ClipRenderer(args.cache_dir, args.render_jobs), args.host, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.prerender:
        await server.prerender(("sub",))
    await server.start()
    print(f"safecampus-streams ready {server.url_template()} cameras={len(labels)}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()
        log.info("stream simulator stopped after %d connections", server.connections)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    try:
        if args.database:
            probe_port = args.port or 8554
            labels = database_cameras(args.database, args.host, probe_port, args.limit)
            if not labels:
                log.error(
                    "no camera in %s has a stream URL at http://%s:%d/cam/...",
                    args.database,
                    args.host,
                    probe_port,
                )
                return 2
        else:
            labels = numbered_cameras(args.cameras)
        asyncio.run(serve(labels, args))
    except (ValueError, DatabaseError, SQLAlchemyError, RenderError) as exc:
        log.error("stream simulator cannot start: %s", exc)
        return 2
    except OSError as exc:
        log.error("stream simulator cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 2
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
