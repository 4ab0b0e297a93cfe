"""Preview playback of a clip on the operator's own loudspeaker (QtMultimedia's QMediaPlayer).

A workstation may have no audio device: then nothing is created, `available` is False and the
page's preview button says so; the console never fails for want of a loudspeaker.

Signals: playingChanged(bool).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal

from console.alarms.sounds import probe_audio_output

log = logging.getLogger(__name__)


class ClipPreview(QObject):
    playingChanged = Signal(bool)

    def __init__(self, probe: Callable[[], bool] = probe_audio_output, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._probe = probe
        self._checked = False
        self.available = False
        self._player: object | None = None
        self._output: object | None = None
        self.playing_path: Path | None = None

    def check(self) -> bool:
        """Look for an audio output once (on first need); True when previews can play."""
        if not self._checked:
            self._checked = True
            self.available = self._probe()
            log.info("clip preview %s", "available" if self.available else "unavailable: no audio output")
        return self.available

    def play(self, path: Path) -> bool:
        if not self.check():
            return False
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        if self._player is None:
            output = QAudioOutput(self)
            player = QMediaPlayer(self)
            player.setAudioOutput(output)
            player.playbackStateChanged.connect(self._on_state)
            self._player, self._output = player, output
        assert isinstance(self._player, QMediaPlayer)
        self._player.stop()
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self._player.play()
        self.playing_path = path
        return True

    def stop(self) -> None:
        if self._player is not None:
            from PySide6.QtMultimedia import QMediaPlayer

            assert isinstance(self._player, QMediaPlayer)
            self._player.stop()
        self.playing_path = None

    def _on_state(self, state: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if not playing:
            self.playing_path = None
        self.playingChanged.emit(playing)
