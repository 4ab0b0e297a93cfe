from __future__ import annotations

import logging

import pytest

from console.video.host import PlayRequest
from console.video.worker import _requests_in


def _request(player_id: int) -> PlayRequest:
    url = "http://127.0.0.1:1/cam.ts"
    return PlayRequest(player_id=player_id, url=url, width=64, height=36, buffer_name=None)


def test_a_batch_keeps_its_requests_in_order() -> None:
    one, two = _request(1), _request(2)
    message = ("batch", [("play", one), ("stop", 7), ("play", two)])
    assert _requests_in(message) == [("play", one), ("stop", 7), ("play", two)]


def test_a_single_request_still_works() -> None:
    one = _request(1)
    assert _requests_in(("play", one)) == [("play", one)]
    assert _requests_in(("stop", 3)) == [("stop", 3)]


@pytest.mark.expect_log("video worker ignored a bad message")
def test_bad_items_are_logged_and_left_out(caplog: pytest.LogCaptureFixture) -> None:
    one = _request(1)
    message = ("batch", [("play", "not a request"), "junk", ("stop", "x"), ("play", one)])
    assert _requests_in(message) == [("play", one)]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3
    assert _requests_in(("reboot",)) == []
