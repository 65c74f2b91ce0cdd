"""Leads as people read them: a ranked list, and one lead's whole chain with its evidence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import duckdb

# leads with their debtor (d), and the title (a) or company record (r) each reaches; and the
# order a case team reads them in: each debtor's most valuable and surest first
LEADS_NAMED = """
FROM leads l
LEFT JOIN debtors d ON d.debtor_id = l.debtor_id
LEFT JOIN assets a ON l.target_type = 'asset' AND a.source = l.target_source
     AND a.asset_id = l.target_id
LEFT JOIN records r ON l.target_type = 'record' AND r.source = l.target_source
     AND r.source_id = l.target_id
"""
RANKED_LEADS = (
    "ORDER BY l.debtor_id, l.confidence * coalesce(l.value, 1) DESC, l.confidence DESC, l.lead_id"
)

LIST = f"""
SELECT l.lead_id, l.debtor_id, d.name AS debtor_name, l.via_related, l.target_type, l.target_id,
       l.hops, l.confidence, l.weakest, l.value, l.jurisdiction, l.status, l.evidence_as_of,
       coalesce(a.address, r.name) AS target_name, l.path::VARCHAR AS path
{LEADS_NAMED}WHERE ($debtor IS NULL OR l.debtor_id = $debtor) AND l.confidence >= $min_confidence
  AND (NOT $changed OR l.status = 'changed') AND ($gone OR l.gone_at IS NULL)
{RANKED_LEADS}
LIMIT $limit
"""

# the names of the records a list of leads passes through, in one query
NAMES = """
SELECT r.source, r.source_id, r.name
FROM records r JOIN (SELECT unnest($sources) AS source, unnest($ids) AS source_id) k
     USING (source, source_id)
"""


def lead_lines(
    con: duckdb.DuckDBPyConnection,
    debtor: str | None = None,
    min_confidence: float = 0.0,
    changed: bool = False,
    gone: bool = False,
    limit: int = 100,
) -> Iterator[str]:
    """One line a lead: the debtor, how sure, what is reached (a title's address and price, or
    a company) and, for a case team, the companies and people the chain passes through."""
    params = {"debtor": debtor, "min_confidence": min_confidence, "changed": changed,
              "gone": gone, "limit": limit}  # fmt: skip
    rows = con.execute(LIST, params).fetchall()
    paths = [json.loads(row[-1]) for row in rows]
    names = _record_names(con, paths)
    for row, path in zip(rows, paths, strict=True):
        (lead_id, debtor_id, debtor_name, via_related, kind, target_id, hops, confidence,
         weakest, value, jurisdiction, status, as_of, name, _path) = row  # fmt: skip
        price = f", £{value:,.0f}" if value is not None else ""
        what = "title" if kind == "asset" else "company"
        through = _through(path, names)
        via = f"  via {' → '.join(through)}" if through else ""
        related = f" (through related person {via_related})" if via_related else ""
        yield (
            f"{lead_id[:12]}  {debtor_id} {debtor_name or ''}{related}  p {confidence:.3f}"
            f" (weakest {weakest:.2f})  {hops} hop{'' if hops == 1 else 's'}  {what} {target_id}"
            f" {name or ''}{price}{via}  [{jurisdiction or '?'}, {status},"
            f" evidence as of {as_of or '?'}]"
        )


def _record_names(
    con: duckdb.DuckDBPyConnection, paths: list[list[dict[str, Any]]]
) -> dict[tuple[str, str], str]:
    nodes = {(h["to_source"], h["to_id"]) for path in paths for h in path[:-1]}
    if not nodes:
        return {}
    sources, ids = [n[0] for n in nodes], [n[1] for n in nodes]
    found = con.execute(NAMES, {"sources": sources, "ids": ids}).fetchall()
    return {(source, key): str(name) for source, key, name in found if name}


def _through(path: list[dict[str, Any]], names: dict[tuple[str, str], str]) -> list[str]:
    """The names of the records between the debtor and the target, each once: a company seen in
    several sources is named once, as the first source names it."""
    through: list[str] = []
    for hop in path[:-1]:
        name = names.get((hop["to_source"], hop["to_id"]))
        if name and not any(_same(name, seen) for seen in through):
            through.append(name)
    return through


def _same(one: str, other: str) -> bool:
    return one.casefold().rstrip(".") == other.casefold().rstrip(".")


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


# a match's reason is empty when the linkage model scored it (an identifier or a review says so)
_MODEL = "the linkage model's probability (oad matches show explains it)"


def _hop_lines(number: int, hop: dict[str, Any], con: duckdb.DuckDBPyConnection) -> list[str]:
    name = _name(con, hop["to_source"], hop["to_id"], hop["to_type"])
    return [
        f"{number + 1}. {hop['from_id']} —{hop['role']}→ {hop['to_source']}:{hop['to_id']}"
        f" {name}  (certainty {hop['certainty']:.2f}: {hop['reason'] or _MODEL})",
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


def lead_debtor(con: duckdb.DuckDBPyConnection, lead_id: str) -> str | None:
    """The debtor whose lead LEAD_ID (the whole id) is, None for no such lead."""
    row = con.execute("SELECT debtor_id FROM leads WHERE lead_id = ?", [lead_id]).fetchone()
    return str(row[0]) if row else None
