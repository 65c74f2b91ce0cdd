"""What the store holds, for `oad status` and the demo."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.store import Store

COUNTED_TABLES = (
    "sources", "crawls", "records", "relationships", "assets", "debtors", "debtor_changes",
    "rejected_rows", "features", "matches", "reviews", "leads", "runs", "audit_log",
)  # fmt: skip


@dataclass(frozen=True)
class StoreSummary:
    table_counts: dict[str, int]
    records_by_source: list[tuple[str, str, int, int]]  # source, kind, live, removed
    debtors_by_kind: list[tuple[str, int, int, int]]  # kind, count, invalid ids, with findings
    recent_imports: list[tuple[int, str, str, str, int, int, int, int]]


def summarise(store: Store) -> StoreSummary:
    con = store.con
    counts = {
        table: int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
        for table in COUNTED_TABLES
    }
    by_source = con.execute(
        "SELECT source, kind, count(*) FILTER (WHERE removed_at IS NULL),"
        " count(*) FILTER (WHERE removed_at IS NOT NULL) FROM records"
        " GROUP BY ALL ORDER BY source, kind"
    ).fetchall()
    by_kind = con.execute(
        "SELECT kind, count(*), count(*) FILTER (WHERE id_valid = false),"
        " count(*) FILTER (WHERE len(findings) > 0) FROM debtors GROUP BY kind ORDER BY kind"
    ).fetchall()
    recent = con.execute(
        "SELECT crawl_id, kind, coalesce(source, '-'), location, new, changed, unchanged, rejected"
        " FROM crawls ORDER BY crawl_id DESC LIMIT 10"
    ).fetchall()
    return StoreSummary(counts, by_source, by_kind, recent)


def render(summary: StoreSummary) -> str:
    lines = ["Store contents:"]
    lines += [f"  {table:<15} {n:>10,}" for table, n in summary.table_counts.items()]
    if summary.debtors_by_kind:
        lines.append("Debtors:  kind       count  invalid ID  with findings")
        lines += [
            f"  {k:<14} {n:>8,} {bad:>11,} {f:>14,}" for k, n, bad, f in summary.debtors_by_kind
        ]
    if summary.records_by_source:
        lines.append("Records:  source                kind        live   removed")
        lines += [
            f"  {src:<27} {kind:<8} {live:>8,} {gone:>9,}"
            for src, kind, live, gone in summary.records_by_source
        ]
    if summary.recent_imports:
        lines.append(
            "Recent imports and crawls:  id kind source file: new changed unchanged rejected"
        )
        lines += [
            f"  #{cid} {kind} {src} {loc}: {new} {chg} {same} {rej}"
            for cid, kind, src, loc, new, chg, same, rej in summary.recent_imports
        ]
    return "\n".join(lines)
