"""A local HTTP server on 127.0.0.1 for recorded responses: files from a folder, plus programmed
replies per URL (a 429 then a 200, a truncated body, paged API answers, a slow reply).

`python -m spiders.localserver DIR --port N` serves DIR until interrupted; a routes.json in any
folder under DIR maps "path?query" (below that folder) to a file in it. Every request seen is
kept in `requests`. In text bodies `{{server}}` becomes the server's origin (a listing's links).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    truncate_at: int | None = None  # send only this many bytes of the body, then close


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # with its query, normalised
    client: str
    headers: dict[str, str]


def route_key(target: str) -> str:
    """A path with its query unquoted and sorted: how routes and requests are matched."""
    parts = urlsplit(target)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + ("?" + urlencode(query, safe="[]., ") if query else "")


class LocalServer:
    def __init__(self, root: Path | None = None, port: int = 0) -> None:
        self.root = root
        self.requests: list[Seen] = []
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        for routes in sorted(root.rglob("routes.json")) if root is not None else []:
            prefix = "/" + routes.parent.relative_to(root or Path()).as_posix()
            for target, file in json.loads(routes.read_text(encoding="utf-8")).items():
                self.serve_file(prefix.rstrip("/.") + target, routes.parent / file)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, target: str, *replies: Reply) -> None:
        """Answer TARGET with these replies in turn; the last one repeats."""
        with self._lock:
            self._routes[route_key(target)] = list(replies)

    def serve_file(self, target: str, path: Path, **reply: object) -> None:
        self.route(target, Reply(body=path.read_bytes(), headers=_type(path), **reply))  # type: ignore[arg-type]

    def seen(self, path_prefix: str = "") -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, key: str) -> Reply:
        with self._lock:
            replies = self._routes.get(key)
            if replies:
                return replies.pop(0) if len(replies) > 1 else replies[0]
        return self._file(key)

    def _file(self, key: str) -> Reply:
        path = urlsplit(key).path
        if self.root is not None and "?" not in key:
            candidate = (self.root / path.lstrip("/")).resolve()
            if candidate.is_file() and candidate.is_relative_to(self.root.resolve()):
                return Reply(body=candidate.read_bytes(), headers=_type(candidate))
        return Reply(404, b"not found\n", {"Content-Type": "text/plain"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer("GET")

            def do_HEAD(self) -> None:
                self._answer("HEAD")

            def _answer(self, method: str) -> None:
                key = route_key(self.path)
                with server._lock:
                    server.requests.append(
                        Seen(method, key, self.client_address[0], dict(self.headers.items()))
                    )
                self._send(server._next(key), with_body=method == "GET")

            def _send(self, reply: Reply, with_body: bool = True) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                body = _placed(reply.body, reply.headers, server.url())
                self.send_header("Content-Length", str(len(body)))
                if reply.truncate_at is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                if not with_body:
                    return
                if reply.truncate_at is not None:
                    body = body[: reply.truncate_at]
                    self.close_connection = True
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def _placed(body: bytes, headers: dict[str, str], origin: str) -> bytes:
    """A listing's links to this server: recorded listings name other hosts (a download link
    on a storage host), and a fixture writes `{{server}}` where the server's origin goes."""
    kind = headers.get("Content-Type", "")
    if kind.startswith(("text/", "application/json", "application/xml")):
        return body.replace(b"{{server}}", origin.encode())
    return body


def _type(path: Path) -> dict[str, str]:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"Content-Type": kind}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m spiders.localserver")
    parser.add_argument("root", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    with LocalServer(options.root, options.port) as server:
        print(f"serving {options.root} at {server.url()}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
