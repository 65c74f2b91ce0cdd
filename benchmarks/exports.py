"""Exports at scale: the case read once (load_case), then written as the xlsx case pack and as
CSV, each timed.

The store is synthetic, inserted with SQL, and its leads come from the real leads build: each
debtor (a Chinese company name) is matched to a person with significant control of a Companies
House company, which is the same company (registration number) as a Land Registry proprietor
of a title with a price paid. Each debtor has two leads: the company, and the title
(debtor → person → company → proprietor → title).

Run: .venv/bin/python benchmarks/exports.py [--leads N]
Default 10,000 leads (target: each format under 30 s). Each format's wall-clock and CPU seconds
are printed (on a shared machine the CPU seconds say more); the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.exports.case import Case, load_case  # noqa: E402
from pipelines.exports.csv_export import write_csv  # noqa: E402
from pipelines.exports.xlsx import write_xlsx  # noqa: E402
from pipelines.leads.run import run_leads  # noqa: E402
from pipelines.leads.walk import WalkLimits  # noqa: E402
from pipelines.store import Store, connect  # noqa: E402

PSC, CH, CCOD = "gb_companies_house_psc", "gb_companies_house", "gb_land_registry_ccod"
NATURES = json.dumps({"natures_of_control": ["ownership-of-shares-75-to-100-percent"]})
# format -> (writer, file name); the writers take (case, path) and return the files written
FORMATS: dict[str, tuple[Callable[[Case, Path], list[Path]], str]] = {
    "xlsx": (write_xlsx, "case.xlsx"),
    "csv": (write_csv, "case.csv"),
}

_DEBTORS = """
INSERT INTO debtors (debtor_id, name, kind, outstanding_amount, currency, findings,
                     content_hash, source_file, source_line, crawl_id, imported_at, updated_at)
SELECT 'D' || lpad(i::VARCHAR, 6, '0'), '安丰投资' || i::VARCHAR || '有限公司', 'company',
       1000000 + i, 'CNY', [], md5(i::VARCHAR), 'synthetic', i + 2, 1, now(), now()
FROM range($n) t(i)
"""
# per debtor i: person p<i>, company c<i>, proprietor x<i> (same name and number as c<i>); the
# names differ between debtors by a random word, so that only c<i> and x<i> read as one company
_RECORDS = """
INSERT INTO records (source, source_id, name, kind, jurisdiction, registration_number,
                     source_url, content_hash, first_seen, last_seen, crawl_id, raw)
SELECT s.source, s.prefix || i::VARCHAR,
       s.label || upper(substr(md5(s.kind || i::VARCHAR), 1, 10)) || s.suffix, s.kind,
       'GB', CASE WHEN s.kind = 'company' THEN lpad(i::VARCHAR, 8, '0') END,
       'https://example.org/' || s.source || '/' || s.prefix || i::VARCHAR,
       hash(s.prefix || i::VARCHAR), now(), now(), 1,
       CASE WHEN s.kind = 'person' THEN $natures::JSON END
FROM range($n) t(i), (VALUES ($psc, 'p', 'CHAN ', '', 'person'),
                             ($ch, 'c', '', ' LIMITED', 'company'),
                             ($ccod, 'x', '', ' LIMITED', 'company'))
     s(source, prefix, label, suffix, kind)
"""
_RELATIONSHIPS = """
INSERT INTO relationships (source, relationship_id, subject_source, subject_id, object_source,
    object_id, object_type, role, share, source_url, content_hash, first_seen, last_seen,
    crawl_id)
SELECT s.source, s.subject || i::VARCHAR || '>' || s.object || i::VARCHAR, s.source,
       s.subject || i::VARCHAR, s.object_source, s.object || i::VARCHAR, s.object_type, s.role,
       s.share, 'https://example.org/' || s.source || '/' || s.subject || i::VARCHAR,
       hash(s.subject || i::VARCHAR), now(), now(), 1
FROM range($n) t(i), (VALUES ($psc, 'p', $ch, 'c', 'record', 'psc', '75-100%'),
                             ($ccod, 'x', $ccod, 't', 'asset', 'proprietor', NULL))
     s(source, subject, object_source, object, object_type, role, share)
"""
_TITLES = """
INSERT INTO assets (source, asset_id, kind, tenure, address, price_paid, source_url,
                    content_hash, first_seen, last_seen, crawl_id)
SELECT $ccod, 't' || i::VARCHAR, 'property', 'Freehold', i::VARCHAR || ' Example Road, London',
       250000 + i * 10, 'https://example.org/ccod/t' || i::VARCHAR, hash(i), now(), now(), 1
FROM range($n) t(i)
"""
_MATCHES = """
INSERT INTO matches (debtor_id, source, source_id, match_probability, reason, run_id, created_at)
SELECT 'D' || lpad(i::VARCHAR, 6, '0'), $psc, 'p' || i::VARCHAR, 0.8 + (i % 20) / 100,
       'name and nationality agree', 1, now()
FROM range($n) t(i)
"""


def build_store(store: Store, debtors: int) -> int:
    """The synthetic store with DEBTORS debtors; returns the live leads the build made."""
    sources = {"n": debtors, "psc": PSC, "ch": CH, "ccod": CCOD}
    with store.transaction() as con:
        con.execute(_DEBTORS, {"n": debtors})
        con.execute(_RECORDS, {**sources, "natures": NATURES})
        con.execute(_RELATIONSHIPS, {key: sources[key] for key in ("n", "psc", "ch", "ccod")})
        con.execute(_TITLES, {"n": debtors, "ccod": CCOD})
        con.execute(_MATCHES, {"n": debtors, "psc": PSC})
    run_leads(store, WalkLimits())
    return int(store.scalar("SELECT count(*) FROM leads WHERE gone_at IS NULL"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    args = parser.parse_args()
    figures: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "exports.duckdb"
        with connect(db) as store:
            started = time.perf_counter()
            figures["leads"] = build_store(store, max(1, args.leads // 2))
            print(f"store with {figures['leads']:,} leads built: "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
            started = time.perf_counter()
            case = load_case(store.con)
            figures["load_case_seconds"] = round(time.perf_counter() - started, 2)
        figures["facts"] = len(case.facts)
        print(f"load_case: {figures['load_case_seconds']} s, {len(case.leads):,} leads,"
              f" {len(case.facts):,} facts", flush=True)  # fmt: skip
        for name, (writer, file_name) in FORMATS.items():
            started, cpu = time.perf_counter(), time.process_time()
            written = writer(case, Path(folder) / file_name)
            seconds = round(time.perf_counter() - started, 2)
            figures[f"{name}_cpu_seconds"] = round(time.process_time() - cpu, 2)
            size = sum(path.stat().st_size for path in written)
            figures[f"{name}_seconds"], figures[f"{name}_bytes"] = seconds, size
            print(f"{name}: {seconds} s ({figures[f'{name}_cpu_seconds']} s of CPU),"
                  f" {size / 1e6:.1f} MB", flush=True)  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
