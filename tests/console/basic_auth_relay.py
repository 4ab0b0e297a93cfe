"""A camera that wants a login: HTTP basic auth in front of the stream simulator, on 127.0.0.1.

    relay = BasicAuthRelay(simulator.template, "nvr-viewer", "secret")
    relay.start()
    relay.url("SIM-0001", "sub")   # http://127.0.0.1:PORT/cam/SIM-0001/sub.ts, no login in it
    relay.seen                     # ("anonymous" | "accepted" | "refused") per request
    relay.stop()                   # joins every thread it started

Without the right Authorization header it answers 401 with a Basic challenge, as an IP camera or
a media server does; with it, it relays the simulator's MPEG-TS stream.
"""

from __future__ import annotations

import base64
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 65536


class _Server(ThreadingHTTPServer):
    # Handler threads are joined by server_close(): a test leaves no thread behind.
    daemon_threads = False
    block_on_close = True


class BasicAuthRelay:
    def __init__(self, upstream_template: str, username: str, password: str) -> None:
        self.upstream_template = upstream_template
        self.expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.seen: list[str] = []
        self._stop = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass  # the test asserts on `seen`, not on a request log

            def do_GET(self) -> None:
                auth = self.headers.get("Authorization")
                if auth != relay.expected:
                    relay.seen.append("anonymous" if auth is None else "refused")
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="camera"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                relay.seen.append("accepted")
                parts = self.path.strip("/").split("/")  # cam/{code}/{stream}.ts
                code, stream = parts[1], parts[2].removesuffix(".ts")
                upstream = urllib.request.urlopen(relay.upstream_template.format(code=code, stream=stream))
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "video/mp2t")
                    self.end_headers()
                    while not relay._stop.is_set():
                        chunk = upstream.read1(CHUNK)
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                except OSError:
                    pass  # the player went away
                finally:
                    upstream.close()

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="basic-auth-relay")
        self._thread.start()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, code: str, stream: str = "sub") -> str:
        return f"http://127.0.0.1:{self.port}/cam/{code}/{stream}.ts"

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)
