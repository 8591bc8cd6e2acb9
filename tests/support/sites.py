"""A real HTTP server on 127.0.0.1 that serves fixture sites to the tests.

Static files come from a folder; routes added with `site.add(...)` override them with a
given status, body, headers or delay. Every request is recorded with its headers, the time it
arrived and the status of its answer, so a test can check what the crawler asked for and got. Static
files and routes with an etag answer If-None-Match with 304, as a real server would. A
POST (a webhook) is recorded with its body and answered by the route of its path.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

TYPES = {".xml": "application/xml", ".rss": "application/rss+xml", ".atom":
         "application/atom+xml", ".json": "application/json", ".html": "text/html; charset=utf-8",
         ".htm": "text/html", ".txt": "text/plain"}


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None


@dataclass
class SeenRequest:
    path: str
    headers: dict
    method: str = "GET"
    body: bytes = b""
    status: int | None = None  # the status of the answer, once sent
    at: float = field(default_factory=time.monotonic)  # when it arrived


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that went away (a scan stopped or killed mid-request) is no error of
        the site's; anything else is printed as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalSite:
    """A site on http://HOST:PORT/ serving `root` and the added routes."""

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0):
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self.server = _Server((host, port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", status: int = 200,
            content_type: str | None = None, headers: dict | None = None, delay: float = 0.0,
            etag: str | bool | None = None) -> str:
        """Serve `body` at `path`; return the full URL. With `etag` (True: one made from
        the body), If-None-Match is answered with 304 when it matches."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if etag is True:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = dict(headers or {})
        headers.setdefault("Content-Type", content_type or TYPES.get(Path(path).suffix,
                                                                     "application/xml"))
        self.routes[path] = Route(body, status, headers, delay, etag)
        return self.url(path)

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [r.path for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.seen = SeenRequest(self.path, dict(self.headers.items()))
                site.requests.append(self.seen)
                route = site.routes.get(self.path) or site._static(self.path)
                if route is None:
                    return self._send(Route(b"not found", 404, {"Content-Type": "text/plain"}))
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    return self._send(Route(b"", 304, {"ETag": route.etag}))
                self._send(route)

            def do_POST(self):
                """A webhook: the body is recorded, the route's answer is sent."""
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.seen = SeenRequest(self.path, dict(self.headers.items()), "POST", body)
                site.requests.append(self.seen)
                route = site.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    return self._send(Route(b"not found", 404, {"Content-Type": "text/plain"}))
                if route.delay:
                    time.sleep(route.delay)
                self._send(route)

            def _send(self, route: Route):
                self.seen.status = route.status
                self.send_response(route.status)
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format, *args):
                pass

        return Handler

    def _static(self, path: str) -> Route | None:
        if self.root is None:
            return None
        relative = unquote(path.split("?", 1)[0]).lstrip("/")
        file = (self.root / relative).resolve()
        if not file.is_file() or self.root.resolve() not in file.parents:
            return None
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        content_type = TYPES.get(file.suffix, "application/octet-stream")
        return Route(body, 200, {"Content-Type": content_type}, etag=etag)
