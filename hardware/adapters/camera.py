"""Camera health by probing the stream URL: the camera (or its media server) must answer.

RTSP gets an OPTIONS request, HTTP(S) a HEAD request; other schemes (RTMP, ...) a TCP connect.
A probe slower than `slow_s` reports "degraded", no answer reports "fault".
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from hardware.adapters.base import AdapterOptionError, DeviceAdapter, no_more, take
from services.protocol.agent_messages import DeviceStatus

_DEFAULT_PORTS = {"rtsp": 554, "http": 80, "https": 443, "rtmp": 1935}


class CameraAdapter(DeviceAdapter):
    kind = "camera"

    def __init__(self, device_id: str, url: str, probe_timeout_s: float = 5.0, slow_s: float = 2.0) -> None:
        super().__init__(device_id)
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise AdapterOptionError(
                f"url {url!r}: expected rtsp://, http://, https:// or rtmp:// with a host name"
            )
        self.url = url
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or _DEFAULT_PORTS[parts.scheme]
        # Never send credentials embedded in the URL in a probe line that may be logged.
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = probe_timeout_s
        self._slow = slow_s

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> CameraAdapter:
        url = take(options, "url", str, required=True)
        timeout = take(options, "probe_timeout_s", float, 5.0)
        slow = take(options, "slow_s", float, 2.0)
        no_more(options)
        return cls(device_id, url, timeout, slow)

    async def health(self) -> DeviceStatus:
        started = time.monotonic()
        try:
            await asyncio.wait_for(self._probe(), self._timeout)
        except TimeoutError:
            return self.status("fault", f"no answer from {self._host}:{self._port} in {self._timeout:g} s")
        except (OSError, ProbeError) as exc:
            return self.status("fault", f"{self._host}:{self._port}: {exc}")
        elapsed = time.monotonic() - started
        if elapsed > self._slow:
            return self.status("degraded", f"slow answer ({elapsed:.1f} s)")
        return self.status("ok")

    async def _probe(self) -> None:
        tls = ssl.create_default_context() if self._scheme == "https" else None
        reader, writer = await asyncio.open_connection(self._host, self._port, ssl=tls)
        try:
            if self._scheme == "rtsp":
                request = f"OPTIONS rtsp://{self._host}:{self._port}{self._path} RTSP/1.0\r\nCSeq: 1\r\n\r\n"
                expect = b"RTSP/1.0 "
            elif self._scheme in ("http", "https"):
                request = f"HEAD {self._path} HTTP/1.1\r\nHost: {self._host}\r\nConnection: close\r\n\r\n"
                expect = b"HTTP/1."
            else:
                return  # the TCP connect is the probe
            writer.write(request.encode())
            await writer.drain()
            line = await reader.readline()
            if not line.startswith(expect):
                raise ProbeError(f"unexpected answer {line[:40]!r}")
            code = line.split(b" ", 2)[1] if len(line.split(b" ")) > 1 else b""
            # 401 means the camera is there and wants credentials: alive for a health check.
            if not code.isdigit() or (int(code) >= 400 and int(code) != 401):
                raise ProbeError(f"answered {line.strip().decode(errors='replace')}")
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


class ProbeError(Exception):
    pass
