"""`oad matches export`: the stable CSV contract other tools and evaluations depend on."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from matching.ranking import RANKED
from pipelines.cells import neutralise_formula
from pipelines.written import text_file

EXPORT_COLUMNS = (
    "debtor_id", "source", "source_id", "record_name", "match_probability", "match_weight", "rank",
)  # fmt: skip


def export_matches(
    con: duckdb.DuckDBPyConnection, out: Path, min_probability: float, top: int | None
) -> int:
    """Write at most `top` candidates per debtor with probability >= min_probability."""
    rows = con.execute(
        f"SELECT {', '.join(EXPORT_COLUMNS)} FROM ({RANKED})"
        " WHERE match_probability >= ? AND (? IS NULL OR rank <= ?)"
        " ORDER BY debtor_id, rank",
        [min_probability, top, top],
    ).fetchall()
    with text_file(out, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for debtor_id, source, source_id, name, probability, weight, rank in rows:
            writer.writerow(
                [
                    neutralise_formula(debtor_id),
                    neutralise_formula(source),
                    neutralise_formula(source_id),
                    neutralise_formula(name),
                    f"{probability:.6f}",
                    "" if weight is None else f"{weight:.4f}",
                    rank,
                ]
            )
    return len(rows)
