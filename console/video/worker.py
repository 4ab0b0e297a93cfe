"""A player worker process: a PlayerHost driven over a pipe by the console's PlayerPool.

Messages in: ("play", PlayRequest), ("stop", player_id), ("close",). Messages out:
("health", player_id, state, reason). When the pipe closes (the console went away) the worker
stops its players and exits, so no orphan keeps decoding. No Qt is imported here: a spawned worker
starts in a fraction of a second and holds only libvlc.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from multiprocessing.connection import Connection

from console.video.host import Health, PlayerHost, PlayRequest, WatchdogPolicy
from services.access.redaction import install_redaction

WORKER_NICENESS = 5


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

    def on_health(player_id: int, state: Health, reason: str) -> None:
        with send_lock:
            try:
                conn.send(("health", player_id, str(state), reason))
            except (OSError, ValueError):
                pass  # the console is gone; the receive loop below ends too

    host = PlayerHost(on_health, policy)
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == "play" and isinstance(message[1], PlayRequest):
                host.play(message[1])
            elif kind == "stop":
                host.stop(int(message[1]))
            elif kind == "close":
                break
            else:
                logging.getLogger(__name__).error("video worker ignored a bad message: %r", message[:1])
    finally:
        host.close()
        conn.close()
