"""A page's read of the store: live or the replica (pipelines/store_reader.py), with which one
it was for the page's banner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from fastapi import HTTPException, Request

from pipelines.errors import OadError
from pipelines.store_reader import read_store
from web.auth import store_path
from web.render import StoreView


@contextmanager
def reading(request: Request) -> Iterator[tuple[duckdb.DuckDBPyConnection, StoreView]]:
    """The store for this request; 503 with the reason when neither it nor a replica opens."""
    try:
        with read_store(store_path(request)) as (con, as_of, is_replica):
            yield con, StoreView(as_of, is_replica)
    except OadError as error:
        raise HTTPException(503, str(error)) from None
