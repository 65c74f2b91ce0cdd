"""Processes that work for a command: knowing whether the one that started a crawl is still
there, and ending a child process together with its parent."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1


def process_identity(pid: int) -> dict[str, Any]:
    """What names a running process beyond its id, which the system reuses: its host and the
    time it started (in clock ticks since boot, where the system says)."""
    return {"pid": pid, "host": socket.gethostname(), "started": _start_time(pid)}


def process_alive(identity: dict[str, Any]) -> bool:
    """Whether the process IDENTITY names still runs (on another host: assumed so)."""
    if identity.get("host") != socket.gethostname():
        return True
    pid = int(identity.get("pid") or 0)
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    started = identity.get("started")
    return started is None or _start_time(pid) == started


def _start_time(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[19])  # the 22nd field of the whole line


def end_with(identity: dict[str, Any], every: float = 0.5) -> None:
    """Watch, from a thread, for the process IDENTITY to be gone, and then end this one at
    once: a worker whose command was killed outright must not go on computing for no one."""

    def watch() -> None:
        while process_alive(identity):
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="oad-watch-parent", daemon=True).start()


def end_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when its parent ends (Linux); and end now if
    the parent PARENT is gone already (it may have died before this was asked)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)
