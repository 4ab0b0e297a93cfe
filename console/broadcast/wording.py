"""Words for broadcast states, priorities and refusals, translated at the moment they are shown."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from services.broadcast.delivery import BroadcastState

STATE_COLORS = {
    BroadcastState.QUEUED: QColor("#7b8794"),
    BroadcastState.SENT: QColor("#5aa9e6"),
    BroadcastState.RECEIVED: QColor("#4dd0e1"),
    BroadcastState.PLAYING: QColor("#7ed957"),
    BroadcastState.DONE: QColor("#2e9d4f"),
    BroadcastState.FAILED: QColor("#ff5c5c"),
    BroadcastState.UNREACHABLE: QColor("#f5b82e"),
    BroadcastState.EXPIRED: QColor("#b07cff"),
}
PRIORITY_COLORS = {"emergency": "#ff3040", "drill": "#f5b82e", "routine": "#5aa9e6"}


def state_name(state: BroadcastState) -> str:
    names = {
        BroadcastState.QUEUED: QCoreApplication.translate("BroadcastWording", "Queued"),
        BroadcastState.SENT: QCoreApplication.translate("BroadcastWording", "Sent"),
        BroadcastState.RECEIVED: QCoreApplication.translate("BroadcastWording", "Received"),
        BroadcastState.PLAYING: QCoreApplication.translate("BroadcastWording", "Playing"),
        BroadcastState.DONE: QCoreApplication.translate("BroadcastWording", "Done"),
        BroadcastState.FAILED: QCoreApplication.translate("BroadcastWording", "Failed"),
        BroadcastState.UNREACHABLE: QCoreApplication.translate("BroadcastWording", "Unreachable"),
        BroadcastState.EXPIRED: QCoreApplication.translate("BroadcastWording", "Expired"),
    }
    return names[state]


def priority_name(priority: str) -> str:
    names = {
        "emergency": QCoreApplication.translate("BroadcastWording", "Emergency"),
        "drill": QCoreApplication.translate("BroadcastWording", "Drill"),
        "routine": QCoreApplication.translate("BroadcastWording", "Routine"),
    }
    return names.get(priority, priority)


def source_name(source: str) -> str:
    names = {
        "bundled": QCoreApplication.translate("BroadcastWording", "Bundled"),
        "upload": QCoreApplication.translate("BroadcastWording", "Uploaded"),
        "tts": QCoreApplication.translate("BroadcastWording", "Speech"),
    }
    return names.get(source, source)


def upload_refusal(code: str, detail: str) -> str:
    """Why an upload was refused, in the operator's language (*detail* is the English reason)."""
    texts = {
        "too_large": QCoreApplication.translate("BroadcastWording", "The file is larger than 20 MB."),
        "too_long": QCoreApplication.translate("BroadcastWording", "The audio is longer than 10 minutes."),
        "silent": QCoreApplication.translate("BroadcastWording", "The audio is silent throughout."),
        "empty": QCoreApplication.translate("BroadcastWording", "The file is empty."),
        "no_audio": QCoreApplication.translate("BroadcastWording", "The file contains no audio."),
        "unsupported": QCoreApplication.translate(
            "BroadcastWording", "This kind of file is not accepted: use WAV, MP3, OGG or M4A."
        ),
        "unreadable": QCoreApplication.translate(
            "BroadcastWording", "The file is not a readable audio file."
        ),
    }
    text = texts.get(code)
    return f"{text} ({detail})" if text else detail


def speech_refusal(code: str, detail: str) -> str:
    texts = {
        "missing_engine": QCoreApplication.translate(
            "BroadcastWording", "The speech engine espeak-ng is not installed (apt-get install espeak-ng)."
        ),
        "empty": QCoreApplication.translate("BroadcastWording", "Type the text to speak first."),
        "too_long": QCoreApplication.translate(
            "BroadcastWording", "The text is too long (at most 1000 characters)."
        ),
        "failed": QCoreApplication.translate("BroadcastWording", "The speech engine failed."),
    }
    text = texts.get(code)
    return f"{text} ({detail})" if text and code == "failed" else (text or detail)


def request_refusal(code: str, detail: str) -> str:
    """Why the console will not send this broadcast (checks made before the hub sees it)."""
    texts = {
        "no_target": QCoreApplication.translate(
            "BroadcastWording", "Choose the schools or districts to broadcast to."
        ),
        "no_clip": QCoreApplication.translate("BroadcastWording", "Choose the clip to broadcast."),
        "bad_repeat": QCoreApplication.translate("BroadcastWording", "Repeat between 1 and 10 times."),
        "bad_time": QCoreApplication.translate(
            "BroadcastWording", "The time to send must be in the next 7 days."
        ),
        "bad_priority": QCoreApplication.translate("BroadcastWording", "Choose a priority."),
        "bad_title": QCoreApplication.translate("BroadcastWording", "The title is too long."),
    }
    return texts.get(code, detail)


def format_duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
