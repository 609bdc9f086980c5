"""Local HTTP servers that stand in for remote portals: the only thing the harvest tests mock is the outside.

A `FixtureServer` answers each request with its `app(request)`: a `Reply`, or `DROP` to close the connection
without answering (a server dying half-way). It runs in a thread on 127.0.0.1 and counts the requests per path.
"""

import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DROP = object()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str, default: str = "") -> str:
        """A parameter of the query string, or of a JSON or form body (as ckanapi POSTs them)."""
        if name in self.query:
            return self.query[name][0]
        if self.body:
            try:
                data = json.loads(self.body)
            except ValueError:
                data = {key: values[0] for key, values in parse_qs(self.body.decode()).items()}
            if isinstance(data, dict) and name in data:
                value = data[name]
                return value if isinstance(value, str) else json.dumps(value)
        return default


@dataclass
class Reply:
    body: bytes | str | Iterable[bytes] = b""
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow server)

    @classmethod
    def json(cls, data, status: int = 200) -> "Reply":
        return cls(json.dumps(data, ensure_ascii=False).encode(), status=status)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hangs up (a harvest that stops reading past its cap) is expected, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FixtureServer:
    def __init__(self, app: Callable[[Request], "Reply | object"]):
        self.app = app
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers.items()),
                    self.rfile.read(length) if length else b"",
                )
                server.hits[parts.path] += 1
                reply = server.app(request)
                if reply is DROP:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                assert isinstance(reply, Reply)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(reply.body, bytes | str):
                    body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_header("Connection", "close")  # a streamed body ends with the connection
                self.close_connection = True
                self.end_headers()
                try:
                    for chunk in reply.body:
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_HEAD = _handle

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for it, once per test.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FixtureServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def files(routes: dict[str, Reply]) -> Callable[[Request], Reply]:
    """An app serving fixed replies by path, 404 for the others."""
    return lambda request: routes.get(request.path, Reply(b"not found", status=404, content_type="text/plain"))
