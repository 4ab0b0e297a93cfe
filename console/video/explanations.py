"""What a tile says about its health: the state's name and why, with what fixes it.

The keys come from services.video.url_support (unsupported URLs), console.video.host (watchdog
reasons) and console.video.stream_access (camera logins). Each text is a literal translate() call
so lupdate finds it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

_STATES: dict[str, Callable[[], str]] = {
    "connecting": lambda: QCoreApplication.translate("VideoHealth", "Connecting"),
    "live": lambda: QCoreApplication.translate("VideoHealth", "Live"),
    "stalled": lambda: QCoreApplication.translate("VideoHealth", "Stalled"),
    "offline": lambda: QCoreApplication.translate("VideoHealth", "Offline"),
    "unsupported": lambda: QCoreApplication.translate("VideoHealth", "Cannot play"),
}

_REASONS: dict[str, Callable[[], str]] = {
    "rtsp_without_live555": lambda: QCoreApplication.translate(
        "VideoHealth",
        "This workstation's video library has no RTSP client (live555), so rtsp:// cameras cannot "
        "play here. Install a libvlc build with RTSP, or enter the camera's HTTP, HLS or RTMP URL "
        "from the media server instead.",
    ),
    "unknown_scheme": lambda: QCoreApplication.translate(
        "VideoHealth",
        "This kind of camera address is not supported. Use an http(s)://, rtmp://, udp:// or "
        "rtsp:// address.",
    ),
    "malformed_url": lambda: QCoreApplication.translate(
        "VideoHealth", "The camera address is not a valid URL. Correct it in the camera registry."
    ),
    "empty_url": lambda: QCoreApplication.translate(
        "VideoHealth", "This camera has no stream address. Add one in the camera registry."
    ),
    "connect_failed": lambda: QCoreApplication.translate(
        "VideoHealth",
        "The stream could not be opened (address wrong, camera off, or the network down). "
        "Retrying automatically.",
    ),
    "no_picture": lambda: QCoreApplication.translate(
        "VideoHealth", "Connected, but no picture arrived. Retrying automatically."
    ),
    "stream_ended": lambda: QCoreApplication.translate(
        "VideoHealth", "The camera closed the stream. Reconnecting automatically."
    ),
    "frames_stopped": lambda: QCoreApplication.translate(
        "VideoHealth", "No picture for 3 seconds. Reconnecting automatically."
    ),
    "worker_restarting": lambda: QCoreApplication.translate(
        "VideoHealth", "The video process restarted. Playing again in a moment."
    ),
    "player_failed": lambda: QCoreApplication.translate(
        "VideoHealth", "The video player could not start on this workstation."
    ),
    "stopped": lambda: QCoreApplication.translate("VideoHealth", "Not playing."),
    # Camera logins (console/video/stream_access.py).
    "login_unreadable": lambda: QCoreApplication.translate(
        "VideoHealth",
        "This camera's stored login cannot be decrypted on this workstation (the secrets key in "
        "the data folder is missing or is not the one it was stored with), so it plays without "
        "its login. Copy the right secrets.key here, or set the login again.",
    ),
    "login_missing": lambda: QCoreApplication.translate(
        "VideoHealth",
        "This camera needs a login, but none is stored for it. An administrator sets it with "
        "\"safecampus-hub camera-credentials set\".",
    ),
    "login_not_applicable": lambda: QCoreApplication.translate(
        "VideoHealth",
        "This camera's address cannot carry a login (only http, https, rtsp and rtmp addresses "
        "can), so it plays without it.",
    ),
    "out_of_district": lambda: QCoreApplication.translate(
        "VideoHealth", "This camera is outside your district."
    ),
}


def state_text(state: str) -> str:
    make = _STATES.get(state)
    return make() if make else state


def reason_text(reason: str) -> str:
    """The sentence for *reason*; empty for no reason, the key itself for one not known here."""
    if not reason:
        return ""
    make = _REASONS.get(reason)
    return make() if make else reason


def known_reasons() -> frozenset[str]:
    return frozenset(_REASONS)
