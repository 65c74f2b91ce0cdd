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

Cost: one pass over the live leads (grouped by their first hop) and one over the matches, each a
hash join; the explanations are read for the page's rows only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from matching.explain import Step, model_labels, steps_of

PRIORITY_FORMULA = "value × (1 − |2p − 1|)"
EXPLAINED_STEPS = 3  # comparisons shown per row, the strongest by weight
Pair = tuple[str, str, str]  # debtor_id, source, source_id

_QUEUE = """
WITH skipped AS (
    SELECT unnest($skip_debtors::VARCHAR[]) AS debtor_id,
           unnest($skip_sources::VARCHAR[]) AS source,
           unnest($skip_ids::VARCHAR[]) AS source_id
),
open AS (  -- narrow: the wide columns are read for the page's rows only
    SELECT m.debtor_id, m.source, m.source_id, m.match_probability AS probability
    FROM matches m
    WHERE m.match_probability >= $min_probability
      AND ($source IS NULL OR m.source = $source)
      AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.debtor_id = m.debtor_id
                      AND r.source = m.source AND r.source_id = m.source_id)
      AND NOT EXISTS (SELECT 1 FROM skipped s WHERE s.debtor_id = m.debtor_id
                      AND s.source = m.source AND s.source_id = m.source_id)
),
valued AS (
    SELECT o.debtor_id, o.source, o.source_id, o.probability,
           coalesce(least(t.leads_value, d.outstanding_amount), t.leads_value,
                    d.outstanding_amount, 0) AS value
    FROM open o JOIN debtors d USING (debtor_id)
    LEFT JOIN queue_lead_values t USING (debtor_id, source, source_id)
),
top AS (
    SELECT debtor_id, source, source_id, value,
           value * (1 - abs(2 * probability - 1)) AS priority, count(*) OVER () AS total
    FROM valued
    ORDER BY priority DESC, debtor_id, source, source_id
    LIMIT $limit OFFSET $offset
),
-- no index serves these: each table's scan is cut to the page's keys before the join
page_matches AS (SELECT * FROM matches WHERE debtor_id IN (SELECT debtor_id FROM top)),
page_debtors AS (SELECT * FROM debtors WHERE debtor_id IN (SELECT debtor_id FROM top)),
page_records AS (
    SELECT source, source_id, name FROM records WHERE source_id IN (SELECT source_id FROM top)
)
SELECT p.debtor_id, d.name, p.source, p.source_id, r.name, m.match_probability, m.reason,
       p.value, coalesce(t.leads, 0), t.leads_value, d.outstanding_amount, d.currency, p.priority,
       m.contributions, m.model_version, p.total
FROM top p
JOIN page_matches m USING (debtor_id, source, source_id)
JOIN page_debtors d USING (debtor_id)
LEFT JOIN page_records r USING (source, source_id)
LEFT JOIN queue_lead_values t USING (debtor_id, source, source_id)
ORDER BY p.priority DESC, p.debtor_id, p.source, p.source_id
"""

# the live leads each match starts (their first hop is the match), with their summed value
_LEAD_VALUES = """
SELECT debtor_id, path->0->>'to_source' AS source, path->0->>'to_id' AS source_id,
       sum(value) AS leads_value, count(*) AS leads
FROM leads WHERE gone_at IS NULL AND via_related IS NULL
GROUP BY ALL
"""
# what changes whenever a leads build (or a review that removes a match) changes the leads
_LEADS_FINGERPRINT = """
SELECT (SELECT path FROM duckdb_databases() WHERE database_name = current_database()),
       count(*), max(last_built), max(gone_at), max(run_id), sum(hash(lead_id))
FROM leads
"""
_lead_values: dict[tuple[object, ...], pa.Table] = {}
_lead_values_lock = threading.Lock()


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
    skipped = list(skip)
    params = {
        "skip_debtors": [pair[0] for pair in skipped],
        "skip_sources": [pair[1] for pair in skipped],
        "skip_ids": [pair[2] for pair in skipped],
        "min_probability": wanted.min_probability,
        "source": wanted.source,
    }
    con.register("queue_lead_values", lead_values(con))
    try:
        found = con.execute(_QUEUE, {**params, "limit": limit, "offset": offset}).fetchall()
        if not found and offset:  # past the end: the count from the first row
            found = con.execute(_QUEUE, {**params, "limit": 1, "offset": 0}).fetchall()
            return QueuePage([], int(found[0][-1]) if found else 0)
    finally:
        con.unregister("queue_lead_values")
    labels = model_labels(con, {row[-2] for row in found if row[-2]})
    rows = [_row(row, strongest(steps_of(row[-3], labels.get(row[-2])))) for row in found]
    return QueuePage(rows, int(found[0][-1]) if found else 0)


def _row(found: tuple[Any, ...], steps: tuple[Step, ...]) -> QueueRow:
    debtor_id, debtor_name, source, source_id, record_name, probability, reason = found[:7]
    value, leads, leads_value, claim, currency, priority = found[7:13]
    return QueueRow(
        debtor_id, debtor_name, source, source_id, record_name, probability, reason, value,
        leads, leads_value, claim, currency, priority, steps,
    )  # fmt: skip


def lead_values(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The value of the live leads through each match, made once per state of the leads: the
    paths' JSON is read once per leads build, not on every page."""
    fingerprint = tuple(con.execute(_LEADS_FINGERPRINT).fetchall()[0])
    with _lead_values_lock:
        found = _lead_values.get(fingerprint)
    if found is None:
        found = con.sql(_LEAD_VALUES).to_arrow_table()
        with _lead_values_lock:
            _lead_values.clear()  # one store state kept: the one pages are read from
            _lead_values[fingerprint] = found
    return found


def queue_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources that have matches, for the filter."""
    rows = con.execute("SELECT DISTINCT source FROM matches ORDER BY 1").fetchall()
    return [str(source) for (source,) in rows]


def strongest(steps: list[Step], count: int = EXPLAINED_STEPS) -> tuple[Step, ...]:
    """The comparisons that weighed most either way (not the prior, nor what one side lacks)."""
    told = [s for s in steps if s.comparison != "prior" and s.level != "missing on one side"]
    return tuple(sorted(told, key=lambda s: -abs(s.bits))[:count])
