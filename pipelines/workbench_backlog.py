"""What the workbench wrote while a run held the store (investigators' decisions, user changes),
taken into the store by whoever next holds it for writing: a matching run or a discovery run as
it begins. A store no workbench has served has no backlog and gets no workbench file."""

from __future__ import annotations

from contextlib import closing

from pipelines.decision_journal import apply_pending
from pipelines.store import Store
from pipelines.workbench_db import connect_workbench, workbench_path
from pipelines.workbench_events import copy_events_to_store, ensure_events


def apply_backlog(store: Store) -> int:
    """Apply the pending decisions and copy the pending user changes into STORE (open for
    writing); how many entries the store took."""
    if not workbench_path(store.path).exists():
        return 0
    taken = apply_pending(store, store.path)
    with closing(connect_workbench(store.path)) as con:
        ensure_events(con)
        taken += copy_events_to_store(con, store)
    return taken
