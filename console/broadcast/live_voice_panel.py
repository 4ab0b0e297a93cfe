"""The live voice row of the broadcast page's compose tab (实时喊话): push-to-talk, a start/stop
toggle, the input level and the time spoken.

The panel speaks to the page's current choices: `plan()` (given by the page) returns a VoicePlan
or the reason the operator cannot speak now. A city-wide emergency or drill stream is confirmed
the way a broadcast is (the page's `ask`, console.access.confirmation.confirm_city_wide) before
the first frame: the toggle asks and then starts; push-to-talk asks on the press and, once
confirmed, speaks from the next press (a held button cannot survive a dialog). A confirmation
covers the same target, priority and zones until one of them changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from console.broadcast.live_voice import LiveVoice, VoicePlan
from console.broadcast.wording import PRIORITY_COLORS, priority_name

log = logging.getLogger(__name__)

ELAPSED_TICK_MS = 250
PlanOrProblem = Callable[[], VoicePlan | str]
Ask = Callable[[str, int], bool]


class LiveVoicePanel(QWidget):
    def __init__(
        self, voice: LiveVoice, plan: PlanOrProblem, ask: Ask, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("liveVoicePanel")
        self.voice = voice
        self._plan = plan
        self._ask = ask
        self._confirmed: tuple[object, ...] | None = None
        self._problem = ""
        self._note = ""  # the last outcome (refused, not confirmed), until the next start

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 0)
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold;")
        self.talk_button = QPushButton(self)
        self.talk_button.setObjectName("liveVoiceHold")
        self.talk_button.setMinimumSize(120, 36)
        self.talk_button.pressed.connect(self._on_pressed)
        self.talk_button.released.connect(self._on_released)
        self.toggle_button = QPushButton(self)
        self.toggle_button.setObjectName("liveVoiceToggle")
        self.toggle_button.setMinimumSize(120, 36)
        self.toggle_button.clicked.connect(lambda _c=False: self.toggle())
        self.meter = QProgressBar(self)
        self.meter.setObjectName("liveVoiceLevel")
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setFixedSize(140, 12)
        self.elapsed_label = QLabel("00:00", self)
        self.elapsed_label.setObjectName("liveVoiceElapsed")
        self.elapsed_label.setMinimumWidth(48)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("liveVoiceState")
        self.state_label.setWordWrap(True)
        for widget in (self.heading, self.talk_button, self.toggle_button, self.meter, self.elapsed_label):
            row.addWidget(widget)
        row.addWidget(self.state_label, 1)

        self._tick = QTimer(self)
        self._tick.setInterval(ELAPSED_TICK_MS)
        self._tick.timeout.connect(self._show_elapsed)
        voice.levelChanged.connect(lambda level: self.meter.setValue(round(level * 100)))
        voice.speakingChanged.connect(self._on_speaking)
        voice.stopped.connect(self._on_stopped)
        self.retranslate_ui()

    # --- what the page tells us ------------------------------------------------------------------
    def refresh(self) -> None:
        """The page's choices changed: enable or disable, and say why."""
        plan = self._plan()
        if isinstance(plan, VoicePlan) and self._confirmed is not None and plan.key() != self._confirmed:
            self._confirmed = None  # a confirmation covers only what was confirmed
        reason = self.voice.unavailable_reason()
        self._problem = self._device_problem(reason) if reason else (plan if isinstance(plan, str) else "")
        speaking = self.voice.speaking
        self.talk_button.setEnabled(not self._problem or speaking)
        self.toggle_button.setEnabled(not self._problem or speaking)
        tip = self._problem
        self.talk_button.setToolTip(tip)
        self.toggle_button.setToolTip(tip)
        if isinstance(plan, VoicePlan):
            color = PRIORITY_COLORS.get(plan.priority, "#5aa9e6")
            self.toggle_button.setStyleSheet(
                f"QPushButton:enabled {{ border: 2px solid {color}; font-weight: bold; }}"
            )
        self._show_state()

    @property
    def problem(self) -> str:
        return self._problem

    def _device_problem(self, reason: str) -> str:
        if reason == "no school network link":
            return self.tr("Live voice needs the school network.")
        if "microphone" in reason or "QtMultimedia" in reason:
            return self.tr("No microphone on this computer: live voice is not available.")
        return self.tr("The voice source cannot be used: %1").replace("%1", reason)

    # --- speaking --------------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.voice.speaking:
            self.voice.stop()
        else:
            self.start(hold=False)

    def start(self, hold: bool) -> bool:
        """Start speaking with the page's current choices; False when it did not start."""
        plan = self._plan()
        if isinstance(plan, str) or self.voice.unavailable_reason():
            self.refresh()
            return False
        if plan.needs_confirmation and self._confirmed != plan.key():
            action = self.tr("%1 live voice").replace("%1", priority_name(plan.priority))
            if not self._ask(action, plan.schools):
                self._note = self.tr("Not started: the wide-area live voice was not confirmed.")
                self._show_state()
                return False
            self._confirmed = plan.key()
            if hold:
                # The button was released while the dialog was open: speak from the next press.
                self._note = self.tr("Confirmed. Hold the button to speak.")
                self._show_state()
                return False
        self._note = ""
        if not self.voice.start(plan):
            # The first start is when the microphone is looked for: a missing one shows its reason.
            self.refresh()
            self._note = "" if self._problem else self.tr("The microphone did not start.")
            self._show_state()
            return False
        return True

    def _on_pressed(self) -> None:
        if not self.voice.speaking:
            self.start(hold=True)

    def _on_released(self) -> None:
        if self.voice.speaking:
            self.voice.stop()

    def _on_speaking(self, speaking: bool) -> None:
        if speaking:
            self._tick.start()
        else:
            self._tick.stop()
            self.meter.setValue(0)
        self._show_elapsed()
        self.retranslate_ui()

    def _on_stopped(self, reason: str) -> None:
        self._note = self.tr("Live voice stopped: %1").replace("%1", reason)
        self._show_state()

    def _show_elapsed(self) -> None:
        seconds = int(self.voice.elapsed_s())
        self.elapsed_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")

    def _show_state(self) -> None:
        if self.voice.speaking:
            text = self.tr("On air: the schools hear you now.")
        else:
            text = self._note or self._problem
        self.state_label.setText(text)

    def shutdown(self) -> None:
        self._tick.stop()
        self.voice.shutdown()

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.heading.setText(self.tr("Live voice:"))
        self.talk_button.setText(self.tr("Hold to talk"))
        self.toggle_button.setText(
            self.tr("Stop talking") if self.voice.speaking else self.tr("Start talking")
        )
        self.meter.setToolTip(self.tr("Microphone level"))
        self.elapsed_label.setToolTip(self.tr("Time on air"))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
