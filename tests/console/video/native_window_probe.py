"""Run by test_native_window.py in a child process with DISPLAY set and QT_QPA_PLATFORM=xcb: plays
the URL in argv[1] into a native Qt window through PlayerHost (libvlc's own X11 output), grabs the
window from the X server twice, 2 s apart, and prints one JSON line: the health states reported,
and how varied and how changed the grabbed pixels are."""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from console.video.host import PlayerHost, PlayRequest


def grab(window: QWidget) -> np.ndarray:
    image = window.screen().grabWindow(window.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).astype(np.int16)


def main() -> None:
    app = QApplication([])
    window = QWidget()
    window.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
    window.setStyleSheet("background: black")
    window.resize(320, 180)
    window.show()
    app.processEvents()
    health: list[str] = []
    host = PlayerHost(lambda reports: health.extend(str(state) for _id, state, _reason in reports))
    host.play(PlayRequest(1, sys.argv[1], 320, 180, None, window_id=int(window.winId())))
    deadline = time.monotonic() + 10
    while "live" not in health and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.05)
    first = grab(window)
    until = time.monotonic() + 2
    while time.monotonic() < until:
        app.processEvents()
        time.sleep(0.05)
    last = grab(window)
    host.close()
    changed = float(np.abs(last - first).mean())
    print(json.dumps({"health": health, "std": float(last.std()), "changed": changed}))


if __name__ == "__main__":
    main()
