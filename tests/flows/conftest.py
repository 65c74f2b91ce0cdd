"""Prefect for the flow tests: analytics off (they lock Prefect's SQLite file on a small
machine) and its home in a temporary folder, set before Prefect is first imported."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
if "PREFECT_HOME" not in os.environ:
    # each test process has its own, gone when the process ends
    _PREFECT_HOME = tempfile.mkdtemp(prefix="oad-prefect-")
    atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
    os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`prefect server start` on 127.0.0.1, its state in a temporary PREFECT_HOME."""
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_for(lambda: _healthy(api), 240, "the Prefect server to start")
        yield {"PREFECT_HOME": env["PREFECT_HOME"], "PREFECT_API_URL": api}
    finally:
        server.terminate()
        server.wait(timeout=60)


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=5) as answer:
            return bool(json.loads(answer.read()))
    except OSError:
        return False


def wait_for(check: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(2)
    raise AssertionError(f"waited {seconds} s for {what}")
