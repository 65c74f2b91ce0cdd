"""A change made in the workbench, on its way to the store's audit log: journalled in the
workbench database at once, copied into the store now if no one holds it for writing, else by
the next process that does (pipelines/workbench_events.py)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from pipelines.user_sessions import Session
from pipelines.workbench_events import copy_events_if_free, record_event
from web.auth import now, store_path, workbench

WRITE_WAIT = 0.5  # seconds the web waits to write the store before leaving it to the next writer


def journal(request: Request, session: Session, action: str, details: dict[str, Any]) -> None:
    """ACTION by SESSION's user, with DETAILS, for the audit log."""
    with workbench(request) as con:
        record_event(con, f"web:{session.user.name}", action, details, now())
        copy_events_if_free(con, store_path(request), WRITE_WAIT)
