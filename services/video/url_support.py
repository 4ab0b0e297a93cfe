"""Can this player build open a camera URL? If not, a key that explains why and what fixes it.

Cameras are URLs. HTTP(S), HLS, MPEG-TS over HTTP, RTMP and UDP/RTP work on every libvlc build;
RTSP needs the live555 module, which Debian's and Ubuntu's libvlc builds leave out. The console
turns each key into a translated sentence (console/video/explanations.py).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from enum import StrEnum


class Unsupported(StrEnum):
    EMPTY = "empty_url"
    MALFORMED = "malformed_url"
    UNKNOWN_SCHEME = "unknown_scheme"
    RTSP_WITHOUT_LIVE555 = "rtsp_without_live555"


ALWAYS_SUPPORTED = frozenset({"http", "https", "rtmp", "rtmps", "udp", "rtp", "file"})
RTSP_SCHEMES = frozenset({"rtsp", "rtsps", "rtspu"})


@dataclass(frozen=True, slots=True)
class PlayerCapabilities:
    """What the installed player can open; the console fills it from the libvlc it finds."""

    rtsp: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class UrlSupport:
    scheme: str
    problem: Unsupported | None = None

    @property
    def supported(self) -> bool:
        return self.problem is None


def check_url(url: str, capabilities: PlayerCapabilities) -> UrlSupport:
    text = url.strip()
    if not text:
        return UrlSupport("", Unsupported.EMPTY)
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return UrlSupport("", Unsupported.MALFORMED)
    scheme = parts.scheme.lower()
    if not scheme:
        return UrlSupport("", Unsupported.MALFORMED)
    if scheme in RTSP_SCHEMES:
        return UrlSupport(scheme, None if capabilities.rtsp else Unsupported.RTSP_WITHOUT_LIVE555)
    if scheme not in ALWAYS_SUPPORTED:
        return UrlSupport(scheme, Unsupported.UNKNOWN_SCHEME)
    if scheme != "file" and not parts.hostname:
        return UrlSupport(scheme, Unsupported.MALFORMED)
    return UrlSupport(scheme)
