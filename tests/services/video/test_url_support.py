from __future__ import annotations

import pytest

from services.video.url_support import PlayerCapabilities, Unsupported, check_url

DEBIAN = PlayerCapabilities(rtsp=False)
WITH_LIVE555 = PlayerCapabilities(rtsp=True)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8554/cam/A/sub.ts", "https://x/y.m3u8", "rtmp://srv/live/a", "udp://@239.0.0.1:1234"],
)
def test_schemes_every_build_plays(url: str) -> None:
    assert check_url(url, DEBIAN).supported


def test_rtsp_depends_on_live555() -> None:
    result = check_url("rtsp://10.0.0.5:554/Streaming/Channels/102", DEBIAN)
    assert not result.supported and result.problem is Unsupported.RTSP_WITHOUT_LIVE555
    assert result.scheme == "rtsp"
    assert check_url("RTSP://10.0.0.5/x", WITH_LIVE555).supported


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", Unsupported.EMPTY),
        ("   ", Unsupported.EMPTY),
        ("no scheme here", Unsupported.MALFORMED),
        ("http://", Unsupported.MALFORMED),
        ("http://[::1", Unsupported.MALFORMED),
        ("gopher://a/b", Unsupported.UNKNOWN_SCHEME),
    ],
)
def test_bad_urls_have_a_reason(url: str, problem: Unsupported) -> None:
    assert check_url(url, WITH_LIVE555).problem is problem
