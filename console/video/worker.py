"""A player worker process: a PlayerHost driven over a pipe by the console's PlayerPool.

Messages in: ("play", PlayRequest), ("stop", player_id), ("batch", [those two, ...]), ("close",).
Messages out: ("health", [(player_id, state, reason), ...]), one watchdog pass's reports together.
When the pipe closes (the console went away) the worker stops its players and exits, so no orphan
keeps decoding. No Qt is imported here: a spawned worker starts in a fraction of a second and holds
only libvlc.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from multiprocessing.connection import Connection

from console.video.host import HealthReport, PlayerHost, PlayRequest, WatchdogPolicy
from services.access.redaction import install_redaction

WORKER_NICENESS = 5


def _requests_in(message: object) -> list[tuple[str, object]]:
    """The ("play", PlayRequest) and ("stop", player_id) requests in *message*; a bad one is logged
    and left out (the pipe comes from the console, so that would be a bug, not an attack)."""
    batch = isinstance(message, tuple) and len(message) == 2 and message[0] == "batch"
    items = message[1] if batch and isinstance(message[1], list) else [message]  # type: ignore[index]
    requests: list[tuple[str, object]] = []
    for item in items:
        kind, arg = item if isinstance(item, tuple) and len(item) == 2 else (None, None)
        if (kind == "play" and isinstance(arg, PlayRequest)) or (kind == "stop" and isinstance(arg, int)):
            requests.append((kind, arg))
        else:
            shown = item[:1] if isinstance(item, tuple) else type(item).__name__
            logging.getLogger(__name__).error("video worker ignored a bad message: %r", shown)
    return requests


def worker_main(conn: Connection, policy: WatchdogPolicy, log_level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s video-worker: %(message)s"
    )
    # The URLs played here may carry camera logins: no password reaches this process's log.
    install_redaction()
    try:
        # Decoding yields to the console's GUI thread: on a saturated workstation a late frame is
        # better than a late click (libvlc runs several threads per player, and the scheduler
        # shares the CPU per thread).
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    send_lock = threading.Lock()

    def on_health(reports: list[HealthReport]) -> None:
        message = ("health", [(player_id, str(state), reason) for player_id, state, reason in reports])
        with send_lock:
            try:
                conn.send(message)
            except (OSError, ValueError):
                pass  # the console is gone; the receive loop below ends too

    host = PlayerHost(on_health, policy)
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message[:1] == ("close",):
                break
            host.submit(_requests_in(message))
    finally:
        host.close()
        conn.close()
