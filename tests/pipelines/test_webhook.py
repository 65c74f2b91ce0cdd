"""The run's webhook: a real receiver on 127.0.0.1 that fails, refuses or is not there; the post
is retried only when that can help, and never raises."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipelines.webhook import post_json

PAYLOAD = {"run_id": 7, "debtors": [{"name": "许家印 | <b>", "new": [{"lead_id": "abc"}]}]}


@contextmanager
def receiver(statuses: list[int]) -> Iterator[tuple[str, list[bytes]]]:
    """An HTTP server answering each POST with the next of STATUSES (the last one repeated);
    yields its URL and the bodies it received."""
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            status = statuses[min(len(bodies), len(statuses)) - 1]
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def no_sleep(seconds: float) -> None:
    pass


def test_a_5xx_is_retried_and_the_body_arrives_intact() -> None:
    pauses: list[float] = []
    with receiver([500, 200]) as (url, bodies):
        result = post_json(url, PAYLOAD, backoff=0.5, sleep=pauses.append)
    assert result.ok and result.attempts == 2 and result.status == 200 and result.error is None
    assert len(bodies) == 2 and json.loads(bodies[1].decode("utf-8")) == PAYLOAD
    assert pauses == [0.5]


def test_backoff_doubles_until_the_attempts_run_out() -> None:
    pauses: list[float] = []
    with receiver([503]) as (url, bodies):
        result = post_json(url, PAYLOAD, attempts=4, backoff=1.0, sleep=pauses.append)
    assert not result.ok and result.attempts == 4 and len(bodies) == 4
    assert result.status == 503 and result.error is not None and "503" in result.error
    assert pauses == [1.0, 2.0, 4.0]


def test_a_4xx_is_not_retried() -> None:
    with receiver([404]) as (url, bodies):
        result = post_json(url, PAYLOAD, sleep=no_sleep)
    assert not result.ok and result.attempts == 1 and result.status == 404 and len(bodies) == 1
    assert result.error is not None and "404" in result.error


def test_a_redirect_is_not_followed_as_a_get() -> None:
    with receiver([302]) as (url, bodies):
        result = post_json(url, PAYLOAD, sleep=no_sleep)
    assert not result.ok and result.status == 302 and len(bodies) == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_closed_port_fails_after_every_attempt_without_raising() -> None:
    result = post_json(f"http://127.0.0.1:{closed_port()}/", PAYLOAD, attempts=3, sleep=no_sleep)
    assert not result.ok and result.attempts == 3 and result.status is None
    assert result.error is not None and "could not connect" in result.error


def test_a_receiver_that_never_answers_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        result = post_json(url, PAYLOAD, attempts=2, timeout=0.3, sleep=no_sleep)
    assert not result.ok and result.attempts == 2 and result.status is None
    assert result.error is not None and "0.3 s" in result.error


@pytest.mark.parametrize(
    ("url", "payload", "message"),
    [
        ("file:///etc/passwd", PAYLOAD, "only http and https"),
        ("ftp://example.org/x", PAYLOAD, "only http and https"),
        ("http:///nohost", PAYLOAD, "names no host"),
        ("http://127.0.0.1:1/", {"when": object()}, "payload is not JSON"),
    ],
)
def test_what_cannot_be_posted_is_said_not_raised(url: str, payload: object, message: str) -> None:
    result = post_json(url, payload, sleep=no_sleep)
    assert not result.ok and result.attempts == 0 and result.error is not None
    assert message in result.error
