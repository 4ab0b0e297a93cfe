"""Alarm sounds with QtMultimedia: a tone on each new incident, repeated gently while a
priority-1 incident waits for acknowledgement, and a mute switch.

A workstation (or a test machine) may have no audio device. Then the sound layer says so once at
info level and stays silent: the queue's colours, the map's flashing and the timers still alert
the operator, and the console never fails for want of a loudspeaker. Qt's own complaints while it
looks for an audio backend are logged at info level for the same reason.

The tones are generated (console.alarms.tones) on a worker thread into a cache folder the first
time; until they are ready nothing plays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QtMsgType, QUrl, Signal, qInstallMessageHandler

from console.alarms.tones import DEFAULT_SOUND, ensure_tones, tone_name

log = logging.getLogger(__name__)

REPEAT_INTERVAL_MS = 15_000
TONE_THREAD_NAME = "safecampus-alarm-tones"


def probe_audio_output() -> bool:
    """True when Qt finds an audio output; Qt's backend messages meanwhile go to the log at info."""
    messages: list[str] = []

    def collect(_kind: QtMsgType, _context: object, text: str) -> None:
        messages.append(text)

    previous = qInstallMessageHandler(collect)
    try:
        from PySide6.QtMultimedia import QMediaDevices

        outputs = QMediaDevices.audioOutputs()
    except ImportError as exc:
        outputs = []
        messages.append(f"QtMultimedia is not installed: {exc}")
    finally:
        qInstallMessageHandler(previous)
    for text in messages:
        log.info("audio backend: %s", text)
    return bool(outputs)


class AlarmSounds(QObject):
    """Signals: ready(bool available) once the audio check and the tones are done."""

    ready = Signal(bool)
    _tones_done = Signal(object)

    def __init__(
        self,
        folder: Path,
        *,
        probe: Callable[[], bool] = probe_audio_output,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._folder = folder
        self._probe = probe
        self._effects: dict[str, object] = {}
        self._muted = False
        self.available = False
        self.played: list[str] = []  # what was played (or would have been, muted or not): for tests
        self._thread: threading.Thread | None = None
        self.repeat_timer = QTimer(self)
        self.repeat_timer.setObjectName("alarmSoundRepeat")
        self.repeat_timer.setInterval(REPEAT_INTERVAL_MS)
        self.repeat_timer.timeout.connect(self._repeat)
        self._repeat_sound = ""
        self._tones_done.connect(self._on_tones)

    def start(self) -> None:
        """Check for an audio output and prepare the tones (off the GUI thread)."""
        if not self._probe():
            log.info("no audio output found: alarm sounds are off (the queue, map and timers still alert)")
            self.ready.emit(False)
            return
        folder = self._folder

        def work() -> None:
            try:
                self._tones_done.emit(ensure_tones(folder))
            except OSError as exc:
                log.error("the alarm tones could not be written to %s: %s", folder, exc)
                self._tones_done.emit({})

        self._thread = threading.Thread(target=work, name=TONE_THREAD_NAME, daemon=True)
        self._thread.start()

    def _on_tones(self, paths: dict[str, Path]) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if not paths:
            self.ready.emit(False)
            return
        from PySide6.QtMultimedia import QSoundEffect

        for name, path in paths.items():
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.8)
            self._effects[name] = effect
        self.available = True
        log.info("alarm sounds ready (%d tones in %s)", len(paths), self._folder)
        self.ready.emit(True)

    # --- playing -------------------------------------------------------------------------------
    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        log.info("alarm sounds %s", "muted" if muted else "on")
        if muted:
            for effect in self._effects.values():
                effect.stop()  # type: ignore[attr-defined]

    def play(self, sound: str) -> bool:
        """Play *sound* (a tone name); False when muted or there is no audio."""
        self.played.append(sound)
        if self._muted or not self.available:
            return False
        effect = self._effects.get(tone_name(sound)) or self._effects.get(DEFAULT_SOUND)
        if effect is None:
            return False
        effect.play()  # type: ignore[attr-defined]
        return True

    def set_repeating(self, sound: str) -> None:
        """Repeat *sound* every REPEAT_INTERVAL_MS ("" stops): for unacknowledged priority-1 incidents."""
        self._repeat_sound = sound
        if sound and not self.repeat_timer.isActive():
            self.repeat_timer.start()
        elif not sound:
            self.repeat_timer.stop()

    def _repeat(self) -> None:
        if self._repeat_sound:
            self.play(self._repeat_sound)

    def shutdown(self) -> None:
        self.repeat_timer.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for effect in self._effects.values():
            effect.stop()  # type: ignore[attr-defined]
