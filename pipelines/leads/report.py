"""Leads as people read them: a ranked list, and one lead's whole chain with its evidence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import duckdb

LIST = """
SELECT l.lead_id, l.debtor_id, l.via_related, l.target_type, l.target_source, l.target_id, l.hops,
       l.confidence, l.weakest, l.value, l.jurisdiction, l.status, l.evidence_as_of,
       coalesce(a.address, r.name) AS target_name
FROM leads l
LEFT JOIN assets a ON l.target_type = 'asset' AND a.source = l.target_source
     AND a.asset_id = l.target_id
LEFT JOIN records r ON l.target_type = 'record' AND r.source = l.target_source
     AND r.source_id = l.target_id
WHERE ($debtor IS NULL OR l.debtor_id = $debtor) AND l.confidence >= $min_confidence
  AND (NOT $changed OR l.status = 'changed') AND ($gone OR l.gone_at IS NULL)
ORDER BY l.debtor_id, l.confidence * coalesce(l.value, 1) DESC, l.confidence DESC, l.lead_id
LIMIT $limit
"""


def lead_lines(
    con: duckdb.DuckDBPyConnection,
    debtor: str | None = None,
    min_confidence: float = 0.0,
    changed: bool = False,
    gone: bool = False,
    limit: int = 100,
) -> Iterator[str]:
    params = {"debtor": debtor, "min_confidence": min_confidence, "changed": changed,
              "gone": gone, "limit": limit}  # fmt: skip
    for row in con.execute(LIST, params).fetchall():
        (lead_id, debtor_id, via_related, kind, _source, target_id, hops, confidence, weakest,
         value, jurisdiction, status, as_of, name) = row  # fmt: skip
        price = f", £{value:,.0f}" if value is not None else ""
        what = "title" if kind == "asset" else "company"
        via = f" via {via_related}" if via_related else ""
        yield (
            f"{lead_id[:12]}  {debtor_id}{via}  p {confidence:.3f} (weakest {weakest:.2f})"
            f"  {hops} hops  {what} {target_id} {name or ''}{price}  [{jurisdiction or '?'},"
            f" {status}, evidence as of {as_of or '?'}]"
        )


def lead_chain(con: duckdb.DuckDBPyConnection, lead_id: str) -> list[str] | None:
    """Each hop of the lead whose id starts with LEAD_ID: what, how sure and why, from where."""
    rows = con.execute(
        "SELECT lead_id, debtor_id, path::VARCHAR, confidence, weakest, status,"
        " changes::VARCHAR FROM leads WHERE starts_with(lead_id, ?) LIMIT 2",
        [lead_id],
    ).fetchall()
    if len(rows) != 1:
        return None
    full_id, debtor_id, path, confidence, weakest, status, changes = rows[0]
    lines = [f"lead {full_id} for debtor {debtor_id}: p {confidence:.3f}, weakest hop"
             f" {weakest:.2f}, {status}"]  # fmt: skip
    for number, hop in enumerate(json.loads(path)):
        lines.extend(_hop_lines(number, hop, con))
    if changes:
        lines.append(f"changed since the last build: {changes}")
    return lines


def _hop_lines(number: int, hop: dict[str, Any], con: duckdb.DuckDBPyConnection) -> list[str]:
    name = _name(con, hop["to_source"], hop["to_id"], hop["to_type"])
    return [
        f"{number + 1}. {hop['from_id']} —{hop['role']}→ {hop['to_source']}:{hop['to_id']}"
        f" {name}  (certainty {hop['certainty']:.2f}: {hop['reason']})",
        f"   evidence: {hop['evidence_source']} {hop['evidence_id']},"
        f" {hop.get('source_url') or 'no URL'}, fetched {hop.get('fetched_at') or '?'}",
    ]


def _name(con: duckdb.DuckDBPyConnection, source: str, key: str, kind: str) -> str:
    if kind == "asset":
        sql = "SELECT address FROM assets WHERE source = ? AND asset_id = ?"
    else:
        sql = "SELECT name FROM records WHERE source = ? AND source_id = ?"
    row = con.execute(sql, [source, key]).fetchall()
    return str(row[0][0]) if row and row[0][0] else ""
