"""Leads build at scale: `oad leads build` (edges, entity links, the walk) over a synthetic store
shaped as the sources write it, whole, then an incremental rebuild after a share of the edges
changed (only what changed redone: pipelines/leads/changes.py).

The store: persons with significant control (their natures of control in the raw payload) of
Companies House companies; corporate PSCs that are companies of the register under another
record (same registration number: an entity link); Land Registry CCOD proprietors that are
register companies too, each the proprietor of titles with a price paid; matches from debtors
to persons. Chains: debtor → person → company → (the same company as a corporate PSC) →
company → (the same company as a proprietor) → title.

Run: .venv/bin/python benchmarks/leads.py [--records N] [--edges N] [--titles N] [--debtors N]
         [--changed-share S] [--changed-records-share S]
Defaults are the target scale (1,000,000 records, 3,000,000 edges, 100,000 titles, 10,000
matched debtors; targets: build under 2 minutes and 4 GB, a rebuild after 1% of the edges
changed under 20 s). The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.leads.run import run_leads  # noqa: E402
from pipelines.leads.walk import WalkLimits  # noqa: E402
from pipelines.store import connect  # noqa: E402

PSC, CH, CCOD = "gb_companies_house_psc", "gb_companies_house", "gb_land_registry_ccod"
NATURES = json.dumps({"natures_of_control": ["ownership-of-shares-75-to-100-percent"]})

_RECORDS = """
INSERT INTO records (source, source_id, name, kind, jurisdiction, registration_number,
                     content_hash, first_seen, last_seen, crawl_id, raw)
SELECT CASE WHEN i < $persons THEN $psc WHEN i < $persons + $companies THEN $ch
            WHEN i < $persons + $companies + $corporate THEN $psc ELSE $ccod END,
       'n' || i::VARCHAR,
       CASE WHEN i < $persons THEN 'PERSON ' || i::VARCHAR
            ELSE 'COMPANY ' || ((i - $persons) % $companies)::VARCHAR || ' LIMITED' END,
       CASE WHEN i < $persons THEN 'person' ELSE 'company' END,
       CASE WHEN i < $persons THEN NULL ELSE 'GB' END,
       CASE WHEN i < $persons THEN NULL
            ELSE lpad(((i - $persons) % $companies)::VARCHAR, 8, '0') END,
       hash(i), now(), now(), 1,
       CASE WHEN i < $persons OR i >= $persons + $companies THEN $natures::JSON END
FROM range($records) t(i)
"""

# edge e: persons' PSC edges to companies, corporate PSCs' edges to companies, proprietors'
# edges to titles, in the shares the arguments give
_EDGES = """
INSERT INTO relationships (source, relationship_id, subject_source, subject_id, object_source,
    object_id, object_type, role, content_hash, first_seen, last_seen, crawl_id)
SELECT src, 'e' || e::VARCHAR, src, subject, object_source, object_id, object_type, role,
       hash(e), now(), now(), 1
FROM (
    SELECT e, $psc AS src, 'n' || (e % $persons)::VARCHAR AS subject, $ch AS object_source,
           'n' || ($persons + hash(e) % $companies)::VARCHAR AS object_id,
           'record' AS object_type, 'psc' AS role
    FROM range($person_edges) t(e)
    UNION ALL
    SELECT e, $psc, 'n' || ($persons + $companies + e % $corporate)::VARCHAR, $ch,
           'n' || ($persons + hash(e * 7) % $companies)::VARCHAR, 'record', 'psc'
    FROM range($person_edges, $person_edges + $corporate_edges) t(e)
    UNION ALL
    SELECT e, $ccod, 'n' || ($persons + $companies + $corporate + e % $proprietors)::VARCHAR,
           $ccod, 't' || (e % $titles)::VARCHAR, 'asset', 'proprietor'
    FROM range($person_edges + $corporate_edges, $edges) t(e)
)
"""

_TITLES = """
INSERT INTO assets (source, asset_id, kind, price_paid, content_hash, first_seen, last_seen,
                    crawl_id)
SELECT $ccod, 't' || i::VARCHAR, 'property', 100000 + i % 900000, hash(i), now(), now(), 1
FROM range($titles) t(i)
"""

_MATCHES = """
INSERT INTO matches (debtor_id, source, source_id, match_probability, reason, run_id, created_at)
SELECT 'D' || i::VARCHAR, $psc, 'n' || (i * 7 % $persons)::VARCHAR, 0.6 + (i % 40) / 100,
       'synthetic', 1, now()
FROM range($debtors) t(i)
"""


def _shape(args: argparse.Namespace) -> dict[str, object]:
    persons = args.records // 4
    companies = args.records // 2
    corporate = args.records // 10
    proprietors = args.records - persons - companies - corporate
    person_edges = args.edges * 6 // 10
    corporate_edges = args.edges * 2 // 10
    return {
        "records": args.records, "persons": persons, "companies": companies,
        "corporate": corporate, "proprietors": proprietors, "edges": args.edges,
        "person_edges": person_edges, "corporate_edges": corporate_edges,
        "titles": args.titles, "debtors": args.debtors, "psc": PSC, "ch": CH, "ccod": CCOD,
        "natures": NATURES,
    }  # fmt: skip


def _fill(db: Path, shape: dict[str, object]) -> None:
    def only(sql: str) -> dict[str, object]:
        return {name: value for name, value in shape.items() if f"${name}" in sql}

    with connect(db) as store, store.transaction() as con:
        for sql in (_RECORDS, _EDGES, _TITLES, _MATCHES):
            con.execute(sql, only(sql))


def _build(db: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    with connect(db) as store:
        built = run_leads(store, WalkLimits())
        leads = store.scalar("SELECT count(*) FROM leads WHERE gone_at IS NULL")
    counts = {**vars(built.leads), "live_leads": leads, "walked": built.walked}
    return time.perf_counter() - started, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=3_000_000)
    parser.add_argument("--titles", type=int, default=100_000)
    parser.add_argument("--debtors", type=int, default=10_000)
    parser.add_argument("--changed-share", type=float, default=0.01)
    parser.add_argument(
        "--changed-records-share", type=float, default=0.0,
        help="also rename this share of the records (a company's: its links resolved again)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "leads.duckdb"
        _fill(db, _shape(args))
        print(f"store: {args.records:,} records, {args.edges:,} edges, {args.titles:,} titles,"
              f" {args.debtors:,} matched debtors", flush=True)  # fmt: skip
        build_seconds, first = _build(db)
        print(f"build: {build_seconds:.1f} s, {first}", flush=True)
        with connect(db) as store:
            store.con.execute(
                "UPDATE relationships SET end_date = '2025-01-01', content_hash = content_hash + 1"
                " WHERE hash(relationship_id) % 10000 < ?",
                [int(args.changed_share * 10000)],
            )
            store.con.execute(
                "UPDATE records SET name = name || ' NEW', content_hash = content_hash + 1"
                " WHERE hash(source_id) % 10000 < ?",
                [int(args.changed_records_share * 10000)],
            )
        rebuild_seconds, second = _build(db)
        print(f"rebuild after {args.changed_share:.0%} of edges and"
              f" {args.changed_records_share:.0%} of records changed: {rebuild_seconds:.1f} s,"
              f" {second}", flush=True)  # fmt: skip
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak memory: {peak_mib:,} MiB")
    print(json.dumps({
        "records": args.records, "edges": args.edges, "titles": args.titles,
        "debtors": args.debtors, "build_seconds": round(build_seconds, 1),
        "rebuild_seconds": round(rebuild_seconds, 1), "peak_mib": peak_mib,
        "leads": second["live_leads"], "changed": second["changed"],
        "rewalked_debtors": second["walked"], "changed_records_share": args.changed_records_share,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
