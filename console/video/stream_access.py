"""What a tile's player is given to open: the stream URL, with the camera's login put in when one
is stored, or the reason it plays without one (or not at all).

A URL here may carry a password: it goes to the player and nowhere else. Log, show or save
`without_userinfo(url)` (services.access.redaction) instead. No Qt here: plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from widgets.video_wall import WallCamera


class LoginProblem(StrEnum):
    """Why a tile plays without its camera's login, or does not play; explained on the tile
    (console/video/explanations.py)."""

    # A login is stored, but this workstation's secrets key is missing or is not the one it was
    # stored with: the camera plays without it.
    UNREADABLE = "login_unreadable"
    # The registry says the camera needs a login (credential_ref) but none is stored.
    MISSING = "login_missing"
    # A login is stored, but the URL's kind cannot carry one (udp://, ...).
    NOT_APPLICABLE = "login_not_applicable"
    # A district viewer's wall plays only their district's cameras.
    OUT_OF_DISTRICT = "out_of_district"


@dataclass(frozen=True, slots=True)
class CameraLogin:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class StreamAccess:
    """*url* for the player ("" when the tile must not play); *problem* a LoginProblem or ""."""

    url: str = field(repr=False)
    problem: str = ""


StreamAccessResolver = Callable[[WallCamera, str], StreamAccess]


def plain_access(_camera: WallCamera, url: str) -> StreamAccess:
    """No logins known: the URL as the registry has it."""
    return StreamAccess(url)
