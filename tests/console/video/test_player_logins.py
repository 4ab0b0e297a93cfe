"""A URL with a login in the player processes: logged without it, never on a command line."""

from __future__ import annotations

import logging
import multiprocessing

import pytest

from console.video import stills
from console.video.host import PlayRequest, WatchdogPolicy
from console.video.worker import worker_main
from services.access.redaction import RedactingFilter, remove_redaction

pytestmark = pytest.mark.gui

LOGIN_URL = "http://viewer:Gate-pass-77@127.0.0.1:9/cam/A/sub.ts"


def test_a_worker_installs_redaction_on_its_own_logging(monkeypatch, caplog) -> None:
    monkeypatch.setattr("console.video.worker.os.nice", lambda _n: 0)  # not this test process
    ours, theirs = multiprocessing.Pipe(duplex=True)
    ours.send(("close",))
    root = logging.getLogger()
    try:
        worker_main(theirs, WatchdogPolicy())
        installed = [f for f in root.filters if isinstance(f, RedactingFilter)]
        assert installed
        # Whatever a library in the worker logs (an ffmpeg error quoting the URL, say) is masked.
        logging.getLogger("console.video.stills").info("open failed for %s", LOGIN_URL)
        assert "Gate-pass-77" not in caplog.text and "viewer:***@" in caplog.text
    finally:
        for redacting in [f for f in root.filters if isinstance(f, RedactingFilter)]:
            remove_redaction(redacting)
        ours.close()


def test_a_play_request_does_not_show_its_url() -> None:
    request = PlayRequest(1, LOGIN_URL, 320, 180, None)
    assert "Gate-pass-77" not in repr(request)


def test_ffmpeg_stills_never_get_a_login_on_their_command_line(monkeypatch) -> None:
    monkeypatch.setattr(stills, "FFMPEG", "/usr/bin/ffmpeg")
    monkeypatch.setattr(stills, "HAVE_PYAV", False)
    assert stills.stills_available("http://127.0.0.1:9/cam/A/sub.ts")
    assert not stills.stills_available(LOGIN_URL)  # libvlc plays it instead
    monkeypatch.setattr(stills, "HAVE_PYAV", True)  # PyAV opens it in-process: no command line
    assert stills.stills_available(LOGIN_URL)
