"""Telling another system that a run ended: one JSON POST, tried again when the receiver is down
or failing, and never an exception, since a run's results stand whether anyone heard of them."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_RESPONSE_BYTES = 64 * 1024  # of a receiver's answer read before closing; its content is unused


@dataclass(frozen=True)
class PostResult:
    ok: bool
    attempts: int
    status: int | None
    error: str | None


@dataclass(frozen=True)
class _Attempt:
    status: int | None
    error: str | None
    retry: bool


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect answers the POST with an error: followed, it would become a GET that drops
    the body and reads as a success."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post_json(
    url: str,
    payload: Any,
    *,
    attempts: int = 3,
    backoff: float = 1.0,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PostResult:
    """POST PAYLOAD as JSON to URL (http or https) until a 2xx answer, at most ATTEMPTS times.
    A connection error, a timeout or a 5xx is tried again after BACKOFF, then twice as long
    each time; any other answer (a 4xx) is final. Never raises: the result says what happened."""
    refusal = _refusal(url, attempts)
    if refusal is not None:
        return PostResult(ok=False, attempts=0, status=None, error=refusal)
    try:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        return PostResult(ok=False, attempts=0, status=None, error=f"payload is not JSON: {error}")
    for number in range(1, attempts + 1):
        attempt = _attempt(url, body, timeout)
        if attempt.error is None or not attempt.retry or number == attempts:
            break
        sleep(backoff * 2 ** (number - 1))
    return PostResult(attempt.error is None, number, attempt.status, attempt.error)


def _refusal(url: str, attempts: int) -> str | None:
    """Why URL cannot be posted to at all, or None."""
    if attempts < 1:
        return f"attempts must be at least 1, not {attempts}"
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return f"not a URL: {error}"
    if parts.scheme not in ("http", "https"):
        return f"only http and https URLs are posted to, not {parts.scheme or 'a bare path'!r}"
    if not parts.hostname:
        return "the URL names no host"
    return None


def _attempt(url: str, body: bytes, timeout: float) -> _Attempt:
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )  # fmt: skip
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(_RESPONSE_BYTES)
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return _Attempt(error.code, f"HTTP {error.code} {error.reason}", retry=error.code >= 500)
    except urllib.error.URLError as error:
        return _Attempt(None, f"could not connect: {error.reason}", retry=True)
    except TimeoutError:
        return _Attempt(None, f"no answer within {timeout:g} s", retry=True)
    except (OSError, http.client.HTTPException) as error:
        return _Attempt(None, f"connection failed: {error!r}", retry=True)
    except Exception as error:  # a URL urllib cannot send (a host that is not IDNA): not retried
        return _Attempt(None, f"could not post: {error!r}", retry=False)
    if 200 <= status < 300:
        return _Attempt(status, None, retry=False)
    return _Attempt(status, f"HTTP {status}", retry=status >= 500)
