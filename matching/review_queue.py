"""The review queue: undecided pairs, the ones whose decision is worth most first.

priority = value × uncertainty, where
  value       = what the debtor's leads through the pair's record could recover: the sum of the
                live leads' values (price paid) starting from that match, capped at the debtor's
                claim (no more can be recovered than is owed); the claim alone when no lead with
                a value starts there;
  uncertainty = 1 - |2p - 1|: 1 at p = 0.5, 0 at p = 0 or 1.
Amounts are compared as they are stored (a title's price paid, the claim in its own currency):
oad holds no exchange rates, so the order is a triage, not a valuation.

A pair leaves the queue once it has a review in the store, while a decision on it waits in the
journal, and (for the reviewer who said so) once marked unsure.

Cost: the priorities are sorted once per state of the store (review_priorities.py); a page
leaves out the decided pairs, counts what is left and reads the explanations of its own rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from matching.explain import Step, model_labels, steps_of
from matching.review_priorities import (
    PAIRS_SCHEMA,
    Pair,
    decided_positions,
    pairs_table,
    priorities,
)

PRIORITY_FORMULA = "value × (1 − |2p − 1|)"
EXPLAINED_STEPS = 3  # comparisons shown per row, the strongest by weight

_WANTED = "p.probability >= $min_probability AND ($source IS NULL OR p.source = $source)"
_PAGE = f"""
SELECT debtor_id, source, source_id, probability, value, leads, leads_value, priority
FROM priorities p
WHERE {_WANTED}
  AND NOT EXISTS (SELECT 1 FROM decided_positions d WHERE d.position = p.position)
ORDER BY position LIMIT $limit OFFSET $offset
"""
# all the filter lets through less the decided among them: two quick scans, where an anti-join
# of every row would cost a hundred milliseconds at two million matches
_COUNT = f"""
SELECT (SELECT count(*) FROM priorities p WHERE {_WANTED})
     - (SELECT count(*) FROM priorities p SEMI JOIN decided_positions d USING (position)
        WHERE {_WANTED})
"""
# no index serves these: each table's scan is cut to the page's keys before the join
_DETAILS = """
WITH page AS (SELECT unnest($debtors::VARCHAR[]) AS debtor_id,
                     unnest($sources::VARCHAR[]) AS source, unnest($ids::VARCHAR[]) AS source_id),
page_matches AS (SELECT * FROM matches WHERE debtor_id IN (SELECT debtor_id FROM page)),
page_debtors AS (SELECT * FROM debtors WHERE debtor_id IN (SELECT debtor_id FROM page)),
page_records AS (
    SELECT source, source_id, name FROM records WHERE source_id IN (SELECT source_id FROM page)
)
SELECT p.debtor_id, p.source, p.source_id, d.name, r.name, m.reason, d.outstanding_amount,
       d.currency, m.contributions, m.model_version
FROM page p
JOIN page_matches m USING (debtor_id, source, source_id)
JOIN page_debtors d USING (debtor_id)
LEFT JOIN page_records r USING (source, source_id)
"""
_REVIEWED = "SELECT DISTINCT debtor_id, source, source_id FROM reviews"


@dataclass(frozen=True)
class QueueFilter:
    source: str | None = None
    min_probability: float = 0.0


@dataclass(frozen=True)
class QueueRow:
    debtor_id: str
    debtor_name: str
    source: str
    source_id: str
    record_name: str | None
    probability: float
    reason: str | None
    value: Decimal
    leads: int  # live leads starting from this match
    leads_value: Decimal | None
    claim: Decimal | None
    currency: str | None
    priority: float
    steps: tuple[Step, ...] = ()  # the strongest comparisons, in bits

    @property
    def pair(self) -> Pair:
        return self.debtor_id, self.source, self.source_id


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # undecided pairs the filter lets through


def queue_page(
    con: duckdb.DuckDBPyConnection,
    skip: Iterable[Pair],
    wanted: QueueFilter,
    offset: int,
    limit: int,
) -> QueuePage:
    """One page of the queue, highest priority first, with each row's explanation."""
    sorted_pairs = priorities(con)
    decided = pa.concat_tables(
        [con.sql(_REVIEWED).to_arrow_table().cast(PAIRS_SCHEMA), pairs_table(skip)]
    )
    params = {"min_probability": wanted.min_probability, "source": wanted.source}
    cursor = sorted_pairs.cursor()
    try:
        cursor.register(
            "decided_positions", pa.table({"position": decided_positions(cursor, decided)})
        )
        total = int(cursor.execute(_COUNT, params).fetchall()[0][0])
        found = cursor.execute(_PAGE, {**params, "limit": limit, "offset": offset}).fetchall()
    finally:
        cursor.close()
    return QueuePage(_explained(con, found), total)


def _explained(con: duckdb.DuckDBPyConnection, found: list[tuple[Any, ...]]) -> list[QueueRow]:
    """The page's rows with their names, claim and strongest comparisons, in FOUND's order."""
    if not found:
        return []
    keys = {"debtors": [row[0] for row in found], "sources": [row[1] for row in found],
            "ids": [row[2] for row in found]}  # fmt: skip
    details = {tuple(row[:3]): row[3:] for row in con.execute(_DETAILS, keys).fetchall()}
    labels = model_labels(con, {row[-1] for row in details.values() if row[-1]})
    rows = []
    for debtor_id, source, source_id, probability, value, leads, leads_value, priority in found:
        detail = details.get((debtor_id, source, source_id))
        if detail is None:  # gone from the store since the priorities were read
            continue
        debtor_name, record_name, reason, claim, currency, contributions, version = detail
        steps = strongest(steps_of(contributions, labels.get(version)))
        rows.append(QueueRow(
            debtor_id, debtor_name, source, source_id, record_name, probability, reason, value,
            leads, leads_value, claim, currency, priority, steps,
        ))  # fmt: skip
    return rows


def queue_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources that have matches, for the filter."""
    with priorities(con).cursor() as cursor:
        found = cursor.execute("SELECT DISTINCT source FROM priorities ORDER BY 1").fetchall()
    return [str(source) for (source,) in found]


def strongest(steps: list[Step], count: int = EXPLAINED_STEPS) -> tuple[Step, ...]:
    """The comparisons that weighed most either way (not the prior, nor what one side lacks)."""
    told = [s for s in steps if s.comparison != "prior" and s.level != "missing on one side"]
    return tuple(sorted(told, key=lambda s: -abs(s.bits))[:count])
