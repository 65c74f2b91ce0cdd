"""Investigators' decisions on pairs: kept in `reviews`, the latest per pair in force, applied on
every run (a rejected pair never comes back as a match; a confirmed pair stays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from pipelines.errors import OadError
from pipelines.shape import record_uid_sql

DECISIONS = ("confirm", "reject")
_LATEST = """
    SELECT * FROM reviews
    QUALIFY row_number() OVER (PARTITION BY debtor_id, source, source_id
                               ORDER BY review_id DESC) = 1
"""


def record_review(
    con: duckdb.DuckDBPyConnection,
    debtor_id: str,
    source: str,
    source_id: str,
    decision: str,
    reviewer: str,
    note: str | None = None,
) -> int:
    if decision not in DECISIONS:
        raise OadError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not con.execute("SELECT 1 FROM debtors WHERE debtor_id = ?", [debtor_id]).fetchall():
        raise OadError(f"no debtor {debtor_id!r}")
    found = con.execute(
        "SELECT 1 FROM records WHERE source = ? AND source_id = ?", [source, source_id]
    ).fetchall()
    if not found:
        raise OadError(f"no record {source_id!r} from source {source!r}")
    row = con.execute(
        "INSERT INTO reviews VALUES (nextval('review_id_seq'), ?, ?, ?, ?, ?, ?,"
        " current_timestamp) RETURNING review_id",
        [debtor_id, source, source_id, decision, reviewer, note],
    ).fetchall()
    apply_reviews(con, None)
    return int(row[0][0])


@dataclass(frozen=True)
class Rejected:
    """A pair an investigator rejected: kept out of the matches, still shown with who and why."""

    source: str
    source_id: str
    record_name: str | None
    reviewer: str
    note: str | None
    decided_at: dt.datetime


def rejected_of(con: duckdb.DuckDBPyConnection, debtor_id: str) -> list[Rejected]:
    """DEBTOR_ID's pairs whose decision in force is a rejection, the latest first."""
    rows = con.execute(
        f"""
        WITH latest AS (SELECT * FROM ({_LATEST}) WHERE debtor_id = ? AND decision = 'reject')
        SELECT l.source, l.source_id, r.name, l.reviewer, l.note, l.decided_at FROM latest l
        LEFT JOIN records r ON r.source = l.source AND r.source_id = l.source_id
        ORDER BY l.decided_at DESC, l.review_id DESC
        """,
        [debtor_id],
    ).fetchall()
    return [Rejected(*row) for row in rows]


def apply_reviews(con: duckdb.DuckDBPyConnection, run_id: int | None) -> None:
    """Remove rejected pairs from matches; make confirmed pairs certain (adding them if the run
    did not find them). Without a run id, added pairs keep the latest run's id."""
    con.execute(
        f"DELETE FROM matches m USING ({_LATEST}) r WHERE r.decision = 'reject'"
        " AND m.debtor_id = r.debtor_id AND m.source = r.source AND m.source_id = r.source_id"
    )
    con.execute(
        f"""
        UPDATE matches m SET match_probability = 1.0,
            reason = 'confirmed by ' || r.reviewer || ' on ' || strftime(r.decided_at, '%Y-%m-%d')
                     || coalesce('; ' || m.reason, '')
        FROM ({_LATEST}) r WHERE r.decision = 'confirm' AND m.debtor_id = r.debtor_id
          AND m.source = r.source AND m.source_id = r.source_id
          AND NOT starts_with(coalesce(m.reason, ''), 'confirmed by ')
        """
    )
    con.execute(
        f"""
        INSERT INTO matches
        SELECT r.debtor_id, r.source, r.source_id, 1.0, NULL, NULL, NULL,
               'confirmed by ' || r.reviewer || ' on ' || strftime(r.decided_at, '%Y-%m-%d'),
               NULL, coalesce(?, (SELECT max(run_id) FROM runs), 0), current_timestamp
        FROM ({_LATEST}) r
        WHERE r.decision = 'confirm' AND NOT EXISTS (SELECT 1 FROM matches m
            WHERE m.debtor_id = r.debtor_id AND m.source = r.source AND m.source_id = r.source_id)
        """,
        [run_id],
    )


def review_labels(con: duckdb.DuckDBPyConnection) -> pa.Table | None:
    """The pairs in force as Splink's pairwise labels: confirmed ones with clerical_match_score 1,
    rejected ones with 0 ('unsure' is no label: it never reaches `reviews`)."""
    labels = con.sql(
        f"SELECT 'debtors' AS source_dataset_l, debtor_id AS unique_id_l,"
        f" 'records' AS source_dataset_r, {record_uid_sql('source', 'source_id')} AS unique_id_r,"
        f" CASE decision WHEN 'confirm' THEN 1.0 ELSE 0.0 END::DOUBLE AS clerical_match_score"
        f" FROM ({_LATEST}) ORDER BY review_id"
    ).to_arrow_table()
    return labels if labels.num_rows else None
