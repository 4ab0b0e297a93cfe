"""The console's school network, put together: which hub (embedded or shared), the link, the fleet.

- Default: an embedded hub on the console's database (console/hub/embedded.py); with --demo (and
  without --no-fleet) the fleet simulator brings the demo schools' agents to it.
- --hub tcp://HOST:PORT --hub-public-key FILE: a shared hub; this console authenticates with its
  own key (--console-key, default in the data folder), which an administrator allows on the hub.

Signals: stateChanged(bool connected, str text) with the translated text for the status bar;
fleetFailed(str) with the translated reason.
"""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QObject, Signal

from console.cli import Options
from console.hub.bridge import HubBridge, HubLink, LinkState
from console.hub.demo_fleet import FLEET_FOLDER_NAME, FLEET_LOG_NAME, DemoFleet, fleet_command
from console.hub.embedded import EmbeddedHub, console_keypair, default_console_key_path
from services.protocol import keys

log = logging.getLogger(__name__)


def console_name() -> str:
    return f"safecampus@{socket.gethostname()}"


class SchoolNetwork(QObject):
    stateChanged = Signal(bool, str)
    fleetFailed = Signal(str)

    def __init__(
        self,
        options: Options,
        data_dir: Path,
        database_url: str,
        parent: QObject | None = None,
        hub_overrides: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self._options = options
        self._data_dir = data_dir
        self._database_url = database_url
        self._hub_overrides = dict(hub_overrides or {})
        self.bridge = HubBridge(self)
        self.embedded: EmbeddedHub | None = None
        self.fleet: DemoFleet | None = None
        self._fleet_agents = 0
        self._endpoint = ""
        self._started_at = 0.0
        self._stopped = False
        self.bridge.connectionChanged.connect(self._on_link)

    @property
    def is_embedded(self) -> bool:
        return self._options.hub_endpoint is None

    # --- start -----------------------------------------------------------------------------------
    def start(self, school_count: int) -> None:
        """Start the link (and the embedded hub and demo fleet when they are wanted)."""
        if self._stopped:
            return  # a start-up result that arrived after shutdown
        self._started_at = time.monotonic()
        key_path = self._options.console_key or default_console_key_path(self._data_dir)
        try:
            console_keys = console_keypair(key_path)
        except (keys.KeyFileError, OSError) as exc:
            self._fail(self.tr("this console's key cannot be used: %1").replace("%1", str(exc)), exc)
            return
        if not self.is_embedded:
            self._start_remote(console_keys)
            return
        self._fleet_agents = school_count if self._options.demo and not self._options.no_fleet else 0
        self._show(False, self.tr("starting the embedded hub…"))
        self.embedded = EmbeddedHub(
            self._database_url,
            self._data_dir,
            console_keys,
            console_name(),
            self._options.operator,
            self,
            **self._hub_overrides,
        )
        self.embedded.ready.connect(self._on_embedded_ready)
        self.embedded.failed.connect(
            lambda reason: self._fail(self.tr("the embedded hub could not start: %1").replace("%1", reason))
        )
        self.embedded.start()

    def _start_remote(self, console_keys: keys.KeyPair) -> None:
        endpoint = self._options.hub_endpoint
        key_file = self._options.hub_public_key
        assert endpoint is not None and key_file is not None  # the command line checks both
        try:
            server_key = keys.read_public(key_file)
        except keys.KeyFileError as exc:
            self._fail(self.tr("the hub's public key cannot be read: %1").replace("%1", str(exc)), exc)
            return
        log.info(
            "using the shared hub at %s; this console's public key (allow it on the hub): %s",
            endpoint,
            console_keys.public.decode(),
        )
        self._connect(HubLink(endpoint, server_key, console_keys, console_name(), self._options.operator))

    def _on_embedded_ready(self, link: HubLink) -> None:
        if self._stopped:
            # The hub came up while the console was shutting down: its queued "ready" must not
            # start a link thread that nobody will stop.
            return
        self._connect(link)
        if self._fleet_agents > 0 and self.embedded is not None:
            self._start_fleet(self.embedded.key_dir, self._fleet_agents)

    def _connect(self, link: HubLink) -> None:
        self._endpoint = link.endpoint.removeprefix("tcp://")
        self._show(False, self.tr("connecting to %1…").replace("%1", self._endpoint))
        self.bridge.start(link)

    def _start_fleet(self, key_dir: Path, agents: int) -> None:
        self.fleet = DemoFleet(self._data_dir / FLEET_LOG_NAME, self)
        self.fleet.failed.connect(self._on_fleet_failed)
        command = fleet_command(
            key_dir=key_dir,
            database_url=self._database_url,
            agents=agents,
            folder=self._data_dir / FLEET_FOLDER_NAME,
        )
        self.fleet.start(command)

    def _on_fleet_failed(self, reason: str) -> None:
        log_path = self.fleet.log_path if self.fleet is not None else self._data_dir / FLEET_LOG_NAME
        self.fleetFailed.emit(
            self.tr("The simulated school agents stopped (%1); see %2")
            .replace("%1", reason)
            .replace("%2", str(log_path))
        )

    # --- stop ------------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Fleet first (its agents leave in order), then the link, then the embedded hub."""
        self._stopped = True
        if self.fleet is not None:
            self.fleet.stop()
        self.bridge.shutdown()
        if self.embedded is not None:
            self.embedded.stop()

    # --- state for the status bar --------------------------------------------------------------
    def _on_link(self, connected: bool, detail: str) -> None:
        state = LinkState(detail)
        if state == LinkState.CONNECTED:
            if self.is_embedded:
                text = self.tr("embedded, %1").replace("%1", self._endpoint)
            else:
                text = self._endpoint
            log.info("hub link up %.2f s after the network started", time.monotonic() - self._started_at)
        elif state == LinkState.DISCONNECTED:
            text = self.tr("disconnected since %1").replace(
                "%1", QDateTime.currentDateTime().toString("HH:mm:ss")
            )
        elif state == LinkState.REFUSED:
            text = self.tr("refused: this console's key is not allowed on the hub")
        elif state == LinkState.CONNECTING:
            text = self.tr("connecting to %1…").replace("%1", self._endpoint)
        else:
            text = self.tr("stopped")
        self._show(connected, text)

    def _show(self, connected: bool, text: str) -> None:
        self.stateChanged.emit(connected, text)

    def _fail(self, text: str, error: BaseException | None = None) -> None:
        log.error("school network: %s", error or text)
        self._show(False, text)
