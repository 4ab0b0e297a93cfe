"""The embedded hub: a single workstation runs the school network's hub inside the console.

The hub (services.hub.Hub) binds 127.0.0.1 on free ports, uses the console's database, and keeps
its keys in `<data folder>/hub/` (hub.key, hub.pub, cli.key, endpoints.json: what the fleet
simulator and the hub CLI read). The console's own key pair lives in `<data folder>/keys/` and is
allowed on the hub from the start. Starting opens the database and binds sockets, so it runs on a
short-lived thread; `ready` or `failed` comes back on the GUI thread.

Signals: ready(HubLink) when the hub serves; failed(str) with the reason when it cannot start.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from console.hub.bridge import HubLink
from services.hub.config import HubConfig
from services.hub.server import Hub, HubError
from services.protocol import keys
from services.protocol.keys import KeyPair

log = logging.getLogger(__name__)

HUB_DIR_NAME = "hub"
CONSOLE_KEY_FILE = Path("keys") / "console.key"
LOOPBACK_ANY_PORT = "tcp://127.0.0.1:0"
STARTER_THREAD_NAME = "safecampus-hub-start"


def hub_key_dir(data_dir: Path) -> Path:
    return data_dir / HUB_DIR_NAME


def default_console_key_path(data_dir: Path) -> Path:
    return data_dir / CONSOLE_KEY_FILE


def console_keypair(path: Path) -> KeyPair:
    """This console's CURVE key pair, made on first use (secret key file 0600)."""
    existed = path.exists()
    pair = keys.load_or_create(path)
    if not existed:
        log.info("made this console's key pair: %s (public key %s)", path, pair.public.decode())
    return pair


class EmbeddedHub(QObject):
    """See the module docstring."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        database_url: str,
        data_dir: Path,
        console_keys: KeyPair,
        console_name: str,
        operator: str,
        parent: QObject | None = None,
        **config_overrides: object,
    ) -> None:
        super().__init__(parent)
        self.key_dir = hub_key_dir(data_dir)
        self._console_keys = console_keys
        self._console_name = console_name
        self._operator = operator
        self._config = HubConfig(
            database_url=database_url,
            key_dir=self.key_dir,
            agent_endpoint=LOOPBACK_ANY_PORT,
            enroll_endpoint=LOOPBACK_ANY_PORT,
            console_endpoint=LOOPBACK_ANY_PORT,
            console_public_keys=(console_keys.public,),
            **config_overrides,  # type: ignore[arg-type]
        )
        self._hub: Hub | None = None
        self._starter: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def hub(self) -> Hub | None:
        """The running hub (None before `ready` and after `stop`)."""
        return self._hub

    def start(self) -> None:
        if self._starter is not None:
            raise RuntimeError("the embedded hub is already started")
        self._starter = threading.Thread(target=self._start, name=STARTER_THREAD_NAME, daemon=True)
        self._starter.start()

    def _start(self) -> None:
        try:
            hub = Hub(self._config)
            hub.start()
        except HubError as exc:
            log.error("the embedded hub cannot start: %s", exc)
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("the embedded hub cannot start")
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            if self._stopped:  # the console closed while the hub was starting
                hub.stop()
                return
            self._hub = hub
        log.info("embedded hub serving (keys in %s)", self.key_dir)
        self.ready.emit(
            HubLink(
                endpoint=hub.console_endpoint,
                server_public_key=hub.public_key,
                console_keypair=self._console_keys,
                console_name=self._console_name,
                operator=self._operator,
            )
        )

    def stop(self) -> None:
        """Stop the hub (flushes its ledger, closes its sockets, ends its threads)."""
        with self._lock:
            self._stopped = True
            hub, self._hub = self._hub, None
        starter, self._starter = self._starter, None
        if starter is not None:
            starter.join(60)
        if hub is not None:
            hub.stop()
            log.info("embedded hub stopped")
