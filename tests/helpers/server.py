"""A loopback HTTP mirror (127.0.0.1 only) with Range support and injectable failures."""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    name: str
    range: str | None


@dataclass
class MirrorServer:
    """Serves ``files`` (name -> bytes) at ``url``/<name>; ``faults[name]`` is a queue of
    ``("status", code)``, ``("cut", n_bytes)``, ``("endless", 0)`` (no Content-Length, the
    Range ignored, bytes until the client hangs up) or ``("trickle", 0)`` (the body one byte
    every 50 ms) applied to the next requests of that name."""

    files: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host}:{port}/mirror"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def count(self, name: str) -> int:
        return sum(r.name == name for r in self.requests)


def _handler(server: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            name = self.path.rsplit("/", 1)[-1]
            range_header = self.headers.get("Range")
            server.requests.append(Request(name, range_header))
            fault = server.faults[name].pop(0) if server.faults.get(name) else None
            data = server.files.get(name)
            if fault and fault[0] == "status":
                self._status(fault[1])
                return
            if data is None:
                self._status(404)
                return
            if fault and fault[0] == "endless":
                self._endless()
                return
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
            if match:
                start = int(match.group(1))
                if start >= len(data):
                    self._status(416)
                    return
            self.send_response(206 if match else 200)
            self.send_header("Content-Length", str(len(data) - start))
            if match:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            body = data[start:]
            if fault and fault[0] == "cut":
                # Promise the whole body, send part of it, then drop the connection.
                self.wfile.write(body[: fault[1]])
                self.wfile.flush()
                self.close_connection = True
                return
            if fault and fault[0] == "trickle":
                self._trickle(body)
                return
            self.wfile.write(body)

        def _endless(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.close_connection = True  # no length: the body ends when the connection does
            try:
                while True:
                    self.wfile.write(b"\0" * 65536)
            except OSError:  # the client hung up
                pass

        def _trickle(self, body: bytes) -> None:
            self.close_connection = True
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:  # the client hung up
                pass

        def _status(self, code: int) -> None:
            body = f"status {code}".encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
