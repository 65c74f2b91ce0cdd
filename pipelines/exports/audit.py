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
    written = [str(path.resolve()) for path in outputs]
    store.audit(action, export_details(filters, written, counts, **details))


def export_details(
    filters: CaseFilter, outputs: Sequence[str], counts: Mapping[str, int], **details: Any
) -> dict[str, Any]:
    """What the audit log keeps of an export: DETAILS (the format), the filter, the files
    written (OUTPUTS) and the COUNTS."""
    return {**details, "filter": filters.as_dict(), "outputs": list(outputs),
            "counts": dict(counts)}  # fmt: skip
