"""Camera health by probing the stream URL: the camera (or its media server) must answer.

RTSP gets an OPTIONS request, HTTP(S) a HEAD request; other schemes (RTMP, ...) a TCP connect.
A probe slower than `slow_s` reports "degraded", no answer reports "fault".

Alarms (hardware/adapters/camera_alarms.py): "camera_loss" after `loss_after` failed probes in a
row; "camera_tamper" when the camera's status page says its tamper detection is on. `status_url`
(http or https) must answer a JSON object; `tamper_key` names the boolean field, dotted for nested
objects (default "tamper"). `location` is where the camera looks (free text, e.g. "东门").
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from hardware.adapters.base import AdapterOptionError, DeviceAdapter, DeviceEvent, no_more, take
from hardware.adapters.camera_alarms import CameraAlarmWatch
from services.protocol.agent_messages import DeviceStatus

_DEFAULT_PORTS = {"rtsp": 554, "http": 80, "https": 443, "rtmp": 1935}
MAX_STATUS_BYTES = 64 * 1024


class CameraAdapter(DeviceAdapter):
    kind = "camera"

    def __init__(
        self,
        device_id: str,
        url: str,
        probe_timeout_s: float = 5.0,
        slow_s: float = 2.0,
        *,
        location: str = "",
        loss_after: int = 3,
        status_url: str = "",
        tamper_key: str = "tamper",
    ) -> None:
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
        self.watch = CameraAlarmWatch(device_id, location, loss_after)
        self._status = urlsplit(status_url) if status_url else None
        if self._status is not None and (
            self._status.scheme not in ("http", "https") or not self._status.hostname
        ):
            raise AdapterOptionError(
                f"status_url {status_url!r}: expected http:// or https:// with a host name"
            )
        self._tamper_path = [part for part in tamper_key.split(".") if part]
        if not self._tamper_path:
            raise AdapterOptionError("option 'tamper_key' must name a field")

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> CameraAdapter:
        url = take(options, "url", str, required=True)
        timeout = take(options, "probe_timeout_s", float, 5.0)
        slow = take(options, "slow_s", float, 2.0)
        location = take(options, "location", str, "")
        loss_after = take(options, "loss_after", int, 3)
        status_url = take(options, "status_url", str, "")
        tamper_key = take(options, "tamper_key", str, "tamper")
        no_more(options)
        return cls(
            device_id,
            url,
            timeout,
            slow,
            location=location,
            loss_after=loss_after,
            status_url=status_url,
            tamper_key=tamper_key,
        )

    async def health(self) -> DeviceStatus:
        status = await self._probe_health()
        if status.state == "fault":
            self._raise(self.watch.observe(False, detail=status.detail))
            return status
        if self._status is None:
            self._raise(self.watch.observe(True))
            return status
        try:
            tampered = await asyncio.wait_for(self._read_tamper(), self._timeout)
        except TimeoutError:
            self._raise(self.watch.observe(True))
            return self.status("degraded", f"status page: no answer in {self._timeout:g} s")
        except (OSError, ProbeError, ValueError) as exc:
            self._raise(self.watch.observe(True))
            return self.status("degraded", f"status page: {exc}")
        self._raise(self.watch.observe(True, tampered, "tamper detection on" if tampered else ""))
        if tampered:
            return self.status("degraded", "tampering detected")
        return status

    def _raise(self, events: list[DeviceEvent]) -> None:
        for event in events:
            self.emit(event)

    async def _probe_health(self) -> DeviceStatus:
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

    async def _read_tamper(self) -> bool:
        """GET the status page; the tamper field's value. HTTP/1.0 keeps the body unchunked."""
        parts = self._status
        assert parts is not None and parts.hostname is not None
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
        tls = ssl.create_default_context() if parts.scheme == "https" else None
        reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=tls)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            writer.write(
                f"GET {path} HTTP/1.0\r\nHost: {parts.hostname}\r\nAccept: application/json\r\n\r\n".encode()
            )
            await writer.drain()
            answer = await reader.read(MAX_STATUS_BYTES + 1)
            while len(answer) <= MAX_STATUS_BYTES and (
                more := await reader.read(MAX_STATUS_BYTES + 1 - len(answer))
            ):
                answer += more
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
        if len(answer) > MAX_STATUS_BYTES:
            raise ProbeError(f"answer larger than {MAX_STATUS_BYTES} bytes")
        head, _, body = answer.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0]
        fields = status_line.split(b" ", 2)
        if len(fields) < 2 or not status_line.startswith(b"HTTP/1.") or fields[1] != b"200":
            raise ProbeError(f"answered {status_line[:60].decode(errors='replace')!r}")
        value: Any = json.loads(body)
        for key in self._tamper_path:
            if not isinstance(value, dict) or key not in value:
                raise ProbeError(f"no field {'.'.join(self._tamper_path)!r} in the answer")
            value = value[key]
        if not isinstance(value, bool):
            raise ProbeError(f"field {'.'.join(self._tamper_path)!r} is not true or false")
        return value

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
