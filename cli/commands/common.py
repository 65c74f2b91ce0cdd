"""What every command shares: opening the store from the root --db option, clean user errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from pipelines.store import Store, connect


@contextmanager
def open_store(ctx: click.Context, read_only: bool = False) -> Iterator[Store]:
    """The store named by `oad --db` (or OAD_DB), waited for `oad --wait` seconds when another
    process has it; errors become one-line messages in `cli.commands.registry.LazyGroup`."""
    options = ctx.find_root().obj or {}
    with connect(options.get("db_path"), read_only=read_only, wait=options["wait"]) as store:
        yield store
