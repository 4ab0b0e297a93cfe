"""CURVE authentication: in-memory allow-lists behind pyzmq's ZAP authenticator.

Three ZAP domains, one per hub socket:
- "agents":   only keys of accepted enrollments;
- "enroll":   any key (the enrollment socket accepts only `enroll` and `enroll_status`);
- "consoles": console keys from the configuration and the database.

ZAP checks a key only when a connection is made, so the socket thread also checks the frame's
"User-Id" against these lists on every message (see sessions.py): revocation takes effect at the
next message. The allow-lists are read by the ZAP thread and written by the socket thread, hence
the lock.
"""

from __future__ import annotations

import logging
import threading

import zmq
from zmq.auth.thread import ThreadAuthenticator

log = logging.getLogger(__name__)

AGENTS_DOMAIN = "agents"
ENROLL_DOMAIN = "enroll"
CONSOLES_DOMAIN = "consoles"


class AllowLists:
    """Keys (Z85 text) allowed per domain. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._agents: dict[str, str] = {}  # key -> school code
        self._consoles: set[str] = set()

    # --- the ZAP callback (pyzmq's credentials-provider interface) ---
    def callback(self, domain: str, key: bytes) -> bool:
        text = key.decode("ascii", "replace")
        with self._lock:
            if domain == AGENTS_DOMAIN:
                allowed = text in self._agents
            elif domain == CONSOLES_DOMAIN:
                allowed = text in self._consoles
            else:
                allowed = domain == ENROLL_DOMAIN
        if not allowed:
            log.info("refused CURVE key %s on domain %r", text, domain)
        return allowed

    # --- maintained by the hub ---
    def allow_agent(self, key: str, school: str) -> None:
        with self._lock:
            self._agents[key] = school

    def remove_agent(self, key: str) -> None:
        with self._lock:
            self._agents.pop(key, None)

    def agent_school(self, key: str) -> str | None:
        with self._lock:
            return self._agents.get(key)

    def allow_console(self, key: str) -> None:
        with self._lock:
            self._consoles.add(key)

    def is_console(self, key: str) -> bool:
        with self._lock:
            return key in self._consoles


class Authenticator:
    """Owns the ZAP thread. The hub holds this object for its whole life: a garbage-collected
    pyzmq authenticator stops answering, and only ZAP_ENFORCE_DOMAIN then keeps CURVE closed."""

    def __init__(self, context: zmq.Context[zmq.Socket[bytes]], allow_lists: AllowLists) -> None:
        self.allow_lists = allow_lists
        self._auth = ThreadAuthenticator(context, log=logging.getLogger("services.hub.zap"))

    def start(self) -> None:
        self._auth.start()
        for domain in (AGENTS_DOMAIN, ENROLL_DOMAIN, CONSOLES_DOMAIN):
            self._auth.configure_curve_callback(domain, credentials_provider=self.allow_lists)
        self._auth.thread.name = "hub-zap"

    def stop(self) -> None:
        self._auth.stop()

    def is_alive(self) -> bool:
        return self._auth.is_alive()
