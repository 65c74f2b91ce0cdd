"""The audit trail of what left the store: every export and assessment, who made it, with which
filter, into which files, and how much it held."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipelines.exports.case import CaseFilter
from pipelines.store import Store


def record_export(
    store: Store,
    action: str,
    filters: CaseFilter,
    outputs: Sequence[Path],
    counts: Mapping[str, int],
    **details: Any,
) -> None:
    """One audit_log row: ACTION (e.g. 'export', 'assess'), the filter, the absolute paths
    written, the COUNTS (leads, facts, ...) and any further DETAILS (the format)."""
    store.audit(
        action,
        {
            **details,
            "filter": filters.as_dict(),
            "outputs": [str(path.resolve()) for path in outputs],
            "counts": dict(counts),
        },
    )
