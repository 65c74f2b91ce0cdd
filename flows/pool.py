"""The work pool crawls are handed to: a Prefect process pool, made when missing."""

from __future__ import annotations

import contextlib

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists


def ensure_pool(name: str) -> None:
    """Create the process work pool NAME on the Prefect server unless it is there."""
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=name, type="process"))
