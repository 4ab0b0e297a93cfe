"""Stream URLs shown or logged without their login."""

from __future__ import annotations

import pytest

from services.access.redaction import without_userinfo


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://admin:Pa55@10.0.0.1:8080/live.ts", "http://10.0.0.1:8080/live.ts"),
        ("rtsp://admin@10.0.0.1/ch1", "rtsp://10.0.0.1/ch1"),
        # An unencoded "@" in the password: everything up to the last "@" before the path goes.
        ("rtsp://admin:p@ss@10.0.0.1/ch1?u=x@y", "rtsp://10.0.0.1/ch1?u=x@y"),
        ("http://viewer:Gate%23Cam%3A2026%40qd@127.0.0.1:9/a.ts", "http://127.0.0.1:9/a.ts"),
        ("http://10.0.0.1/live.ts", "http://10.0.0.1/live.ts"),
        # udp's "@" (listen on a multicast group) is no login and stays.
        ("udp://@239.0.0.1:1234", "udp://@239.0.0.1:1234"),
        ("not a url @ all", "not a url @ all"),
        ("", ""),
    ],
)
def test_without_userinfo(url: str, shown: str) -> None:
    assert without_userinfo(url) == shown
