"""The broadcast page (广播): compose and send a broadcast, follow its delivery live, see the history.

Compose: content (bundled clips, uploads, text-to-speech, preview), target (city, districts,
schools, saved groups, the map's selection) with the number of schools shown before sending, PA
zones, priority, time, repeat. Sending is the hub request `broadcast_send`; a city-wide emergency
or drill goes through the second confirmation (console.access.confirmation.send_confirmed). The
hub's answer opens the progress tab, which follows the delivery school by school. Live voice
(console.broadcast.live_voice_panel) speaks to the same target, priority and zones from the
operator's microphone, confirmed the same way when it is city-wide.

The page takes the hub bridge (requests, delivery and presence signals), the database worker, the
logged-in operator and the data folder; it owns one background worker for decoding, speech and
CSV files, stopped by `shutdown()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QLocale, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.access.confirmation import confirm_city_wide, send_confirmed
from console.access.current_operator import CurrentOperator
from console.access.hub_requests import hub_error_text
from console.alarms.sounds import probe_audio_output
from console.broadcast.background import BackgroundWork
from console.broadcast.content_panel import ContentPanel
from console.broadcast.history_panel import HistoryPanel
from console.broadcast.jobs import DatabaseJobs, HubRequests
from console.broadcast.live_voice import LiveVoice, MicrophoneSource, PcmSource, VoicePlan
from console.broadcast.live_voice_panel import LiveVoicePanel
from console.broadcast.options_panel import OptionsPanel
from console.broadcast.preview import ClipPreview
from console.broadcast.progress_panel import ProgressPanel
from console.broadcast.target_panel import SelectionProvider, TargetPanel
from console.broadcast.wording import PRIORITY_COLORS, format_duration, priority_name, request_refusal
from console.hub.bridge import HubReply
from services.broadcast.bundled import DEFAULT_CATALOG
from services.broadcast.requests import BroadcastRequestError, send_args
from services.broadcast.targets import ALL_ZONES, districts_reached, pa_zones
from services.db.records import DistrictRecord, SchoolSummary
from services.protocol.console_messages import SchoolPresence, Snapshot
from services.protocol.states import Presence

log = logging.getLogger(__name__)

PREVIEW_FOLDER = "broadcast-preview"
Ask = Callable[[str, int], bool]


class BroadcastPage(QWidget):
    def __init__(
        self,
        hub: HubRequests,
        db: DatabaseJobs,
        operator: CurrentOperator,
        data_dir: Path,
        *,
        catalog: Path = DEFAULT_CATALOG,
        ask: Ask | None = None,
        probe: Callable[[], bool] = probe_audio_output,
        voice_source: Callable[[], PcmSource] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("broadcastPage")
        self._hub = hub
        self._operator = operator
        self._ask: Ask = ask or (lambda text, schools: confirm_city_wide(self, text, schools))
        self._presence: dict[str, SchoolPresence] = {}
        self._zones_of: dict[str, list[str]] = {}
        self._sending = False
        self._showing_problem = False  # the status line holds a problem, not a send result
        self.work = BackgroundWork(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        layout.addWidget(self.title_label)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("broadcastTabs")
        layout.addWidget(self.tabs, 1)

        compose = QWidget(self.tabs)
        compose_layout = QVBoxLayout(compose)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, compose)
        self.content = ContentPanel(
            db,
            self.work,
            self._operator_name,
            data_dir / PREVIEW_FOLDER,
            catalog=catalog,
            preview=ClipPreview(probe),
            parent=self.splitter,
        )
        self.target = TargetPanel(db, self._operator_name, self.splitter)
        self.options = OptionsPanel(self.splitter)
        for widget in (self.content, self.target, self.options):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([380, 520, 360])
        compose_layout.addWidget(self.splitter, 1)
        send_row = QHBoxLayout()
        self.summary_label = QLabel(compose)
        self.summary_label.setObjectName("broadcastSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("font-size: 12pt;")
        self.send_button = QPushButton(compose)
        self.send_button.setObjectName("broadcastSend")
        self.send_button.setMinimumSize(160, 40)
        self.send_button.clicked.connect(lambda _c=False: self.send())
        send_row.addWidget(self.summary_label, 1)
        send_row.addWidget(self.send_button)
        compose_layout.addLayout(send_row)
        # The hub bridge sends voice frames; a requester without that (tests' fakes) has no live voice.
        link = hub if callable(getattr(hub, "send_voice_frame", None)) else None
        source = voice_source() if voice_source is not None else MicrophoneSource()
        self.live_voice = LiveVoicePanel(
            LiveVoice(link, source, self),  # type: ignore[arg-type]
            self._voice_plan,
            lambda text, schools: self._ask(text, schools),
            compose,
        )
        compose_layout.addWidget(self.live_voice)
        self.status_label = QLabel(compose)
        self.status_label.setObjectName("broadcastStatus")
        self.status_label.setWordWrap(True)
        compose_layout.addWidget(self.status_label)
        self.tabs.addTab(compose, "")

        self.progress = ProgressPanel(hub, self.work, self.target.school_name, self.tabs)
        self.tabs.addTab(self.progress, "")
        self.history = HistoryPanel(hub, self.tabs)
        self.history.openRequested.connect(self._open_past)
        self.tabs.addTab(self.history, "")
        self._history_loaded = False
        self.tabs.currentChanged.connect(self._on_tab)

        for signal in (self.content.clipChanged, self.target.changed, self.options.changed):
            signal.connect(self._update_summary)
        self.target.changed.connect(self._update_zones)
        self.target.statusMessage.connect(self.status_label.setText)
        self.progress.statusMessage.connect(self.status_label.setText)
        self._connect_hub(hub)
        self.set_operator()
        self.retranslate_ui()

    def _operator_name(self) -> str:
        # Read at each use: the operator changes with logins.
        return self._operator.username

    # --- wiring ----------------------------------------------------------------------------------
    def _connect_hub(self, hub: object) -> None:
        # The real bridge (and the tests' fake) have these signals; a bare requester has not.
        for name, slot in (
            ("deliveriesChanged", self.progress.apply_deliveries),
            ("snapshot", self.apply_snapshot),
            ("presenceChanged", self.apply_presence),
        ):
            signal = getattr(hub, name, None)
            if signal is not None:
                signal.connect(slot)

    def set_city(self, districts: Sequence[DistrictRecord], schools: Sequence[SchoolSummary]) -> None:
        self.target.set_city(districts, schools)

    def set_map_selection(self, provider: SelectionProvider | None) -> None:
        self.target.set_map_selection(provider)

    def set_operator(self) -> None:
        """The operator changed (login, logout): priorities they may use, their saved groups."""
        self.options.set_allowed(self._operator.permissions)
        if self._operator.is_logged_in:
            self.target.load_groups()
            self.content.reload()
        self._update_summary()

    def shutdown(self) -> None:
        self.live_voice.shutdown()
        self.progress.shutdown()
        self.content.preview.stop()
        self.work.shutdown()

    # --- presence: online counts and PA zones ----------------------------------------------------
    def apply_snapshot(self, snapshot: Snapshot) -> None:
        self._presence = {p.school: p for p in snapshot.presence}
        self._zones_of = {p.school: _zones(p) for p in snapshot.presence}
        self._update_zones()
        self._update_summary()

    def apply_presence(self, entries: Iterable[SchoolPresence]) -> None:
        for entry in entries:
            self._presence[entry.school] = entry
            self._zones_of[entry.school] = _zones(entry)
        self._update_zones()
        self._update_summary()

    def _update_zones(self) -> None:
        reached = self.target.reached()
        zones: set[str] = set()
        for code in reached:
            zones.update(self._zones_of.get(code, ()))
        zones.discard(ALL_ZONES)
        self.options.set_zones([ALL_ZONES, *sorted(zones)])

    # --- summary and send ------------------------------------------------------------------------
    def _city_wide_refused(self, reached: set[str]) -> bool:
        target = self.target.target()
        wide = target.all_schools or len(districts_reached(reached, self.target.school_districts)) > 1
        return wide and not self._operator.may("city_wide")

    def _update_summary(self) -> None:
        reached = self.target.reached()
        clip = self.content.current_clip()
        locale = QLocale()
        online = sum(
            1 for code in reached if (p := self._presence.get(code)) and p.presence == Presence.ONLINE
        )
        parts = [
            self.tr("%1 schools").replace("%1", locale.toString(len(reached))),
            self.tr("%1 online now").replace("%1", locale.toString(online)),
        ]
        if clip is not None:
            parts.append(f"“{clip.title}” ({format_duration(clip.duration_s)})")
        priority = self.options.priority()
        if priority:
            parts.append(priority_name(priority))
        self.summary_label.setText(" · ".join(parts))
        problem = ""
        if not self._operator.is_logged_in:
            problem = self.tr("Log in to send broadcasts.")
        elif not priority:
            problem = self.tr("Your role does not allow broadcasts.")
        elif reached and self._city_wide_refused(reached):
            problem = self.tr("Your role may not broadcast to more than one district.")
        self.send_button.setEnabled(not problem and not self._sending and bool(reached) and clip is not None)
        self.send_button.setToolTip(problem)
        color = PRIORITY_COLORS.get(priority, "#5aa9e6")
        self.send_button.setStyleSheet(
            f"QPushButton:enabled {{ background: {color}; color: #101418; font-weight: bold; }}"
        )
        self.live_voice.refresh()
        if problem:
            self.status_label.setText(problem)
            self._showing_problem = True
        elif self._showing_problem:
            # The problem is gone (logged in, a target chosen): do not leave its sentence behind.
            self.status_label.clear()
            self._showing_problem = False

    def _voice_plan(self) -> VoicePlan | str:
        """What a live voice stream would go to now, or why the operator cannot speak."""
        priority = self.options.priority()
        reached = self.target.reached()
        if not self._operator.is_logged_in:
            return self.tr("Log in to speak to schools.")
        if not priority:
            return self.tr("Your role does not allow live voice.")
        if not reached:
            return self.tr("Choose the schools to speak to.")
        if self._city_wide_refused(reached):
            return self.tr("Your role may not speak to more than one district.")
        target = self.target.target()
        wide = target.all_schools or len(districts_reached(reached, self.target.school_districts)) > 1
        return VoicePlan(
            target=target.as_args(),
            priority=priority,
            zones=self.options.zones_arg(),
            drill=priority == "drill",
            schools=len(reached),
            wide=wide,
        )

    def send(self) -> None:
        clip = self.content.current_clip()
        priority = self.options.priority()
        title = self.options.title() or (clip.title if clip is not None else "")
        try:
            args = send_args(
                target=self.target.target().as_args(),
                clip=clip.sha256 if clip is not None else "",
                priority=priority,
                zones=self.options.zones_arg(),
                repeat=self.options.repeat(),
                at=self.options.at(),
                title=title,
            )
        except BroadcastRequestError as exc:
            self.status_label.setText(request_refusal(exc.code, str(exc)))
            return
        reached = self.target.reached()
        if self._city_wide_refused(reached):
            self.status_label.setText(self.tr("Your role may not broadcast to more than one district."))
            return
        self._sending = True
        self._update_summary()
        self.status_label.setText(self.tr("Sending…"))
        log.info("broadcast %s (%s) to %d schools requested", args["clip"][:12], priority, len(reached))
        action_text = self.tr("%1 broadcast “%2”").replace("%1", priority_name(priority)).replace("%2", title)
        send_confirmed(
            self._hub.request,
            "broadcast_send",
            args,
            lambda reply: self._on_sent(args, reply),
            self._ask,
            describe=lambda _result: action_text,
        )

    def _on_sent(self, args: dict[str, Any], reply: HubReply) -> None:
        self._sending = False
        self._update_summary()
        if not reply.ok:
            if reply.error_code == "confirmation_required":
                self.status_label.setText(self.tr("Not sent: the city-wide broadcast was not confirmed."))
            else:
                self.status_label.setText(
                    self.tr("Not sent: %1").replace("%1", hub_error_text(reply.error_code, reply.error))
                )
            return
        result = reply.result
        schools = [str(s) for s in result.get("schools", []) if isinstance(s, str)]
        no_agent = [str(s) for s in result.get("no_agent", []) if isinstance(s, str)]
        broadcast_id = str(result.get("broadcast_id") or "")
        command_id = str(result.get("command_id") or "")
        if not command_id:
            log.error("the hub accepted a broadcast without naming its command: %r", sorted(result))
            self.status_label.setText(
                self.tr("The hub accepted the broadcast but did not say how to follow it.")
            )
            return
        self.progress.track(
            broadcast_id=broadcast_id,
            command_id=command_id,
            title=str(args.get("title") or ""),
            priority=str(args["priority"]),
            schools=[s for s in schools if s not in set(no_agent)],
            no_agent=no_agent,
        )
        self.status_label.setText(
            self.tr("Sent to %1 schools (%2 without an agent).")
            .replace("%1", QLocale().toString(len(schools)))
            .replace("%2", QLocale().toString(len(no_agent)))
        )
        self.tabs.setCurrentWidget(self.progress)

    # --- history -----------------------------------------------------------------------------------
    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.history and not self._history_loaded:
            self._history_loaded = True
            self.history.refresh()

    def _open_past(self, entry: dict[str, Any]) -> None:
        self.progress.open_past(entry)
        self.tabs.setCurrentWidget(self.progress)

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.title_label.setText(self.tr("Broadcast"))
        self.tabs.setTabText(0, self.tr("Compose"))
        self.tabs.setTabText(1, self.tr("Live progress"))
        self.tabs.setTabText(2, self.tr("History"))
        self.send_button.setText(self.tr("Send broadcast"))
        self._update_summary()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def _zones(presence: SchoolPresence) -> list[str]:
    """A school's PA zones: the list its agent reported in its hello, else what the PA devices'
    status details name (agents that predate `pa_zones`)."""
    if presence.pa_zones:
        return [ALL_ZONES, *sorted(set(presence.pa_zones) - {ALL_ZONES})]
    return pa_zones(presence.devices)
