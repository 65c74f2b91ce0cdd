"""Lead edge build speed: `build_edges` over a store of synthetic relationships shaped as the
sources write them (PSC edges with their persons' natures of control, proprietors of titles,
GLEIF parents with their validation, ICIJ links, some to records the store lacks).

Run: .venv/bin/python benchmarks/lead_edges.py [--edges N]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.leads.edges import build_edges  # noqa: E402
from pipelines.store import connect  # noqa: E402

# Edge i has its source by i % 4, its ends numbered i; every 50th edge's object is missing.
_FILL = """
INSERT INTO records (source, source_id, name, kind, content_hash, first_seen, last_seen,
                     crawl_id, raw)
SELECT src, 'r' || i::VARCHAR, 'NAME ' || i::VARCHAR, 'company', 0, now(), now(), 1,
       CASE WHEN src = 'gb_companies_house_psc' THEN json_object('natures_of_control',
           CASE i % 3 WHEN 0 THEN ['ownership-of-shares-75-to-100-percent']
                      WHEN 1 THEN ['voting-rights-25-to-50-percent',
                                   'significant-influence-or-control']
                      ELSE ['ownership-of-shares-more-than-25-percent-registered-overseas-entity']
           END)
       END
FROM (SELECT i, ['gb_companies_house_psc', 'gb_land_registry', 'gleif',
                 'icij_offshore_leaks'][i % 4 + 1] AS src
      FROM range(?) t(i));
INSERT INTO records (source, source_id, name, kind, content_hash, first_seen, last_seen, crawl_id)
SELECT src, 'o' || i::VARCHAR, 'OBJECT ' || i::VARCHAR, 'company', 0, now(), now(), 1
FROM (SELECT i, ['gb_companies_house', NULL, 'gleif', 'icij_offshore_leaks'][i % 4 + 1] AS src
      FROM range(?) t(i)) WHERE src IS NOT NULL;
INSERT INTO assets (source, asset_id, kind, content_hash, first_seen, last_seen, crawl_id)
SELECT 'gb_land_registry', 't' || i::VARCHAR, 'property', 0, now(), now(), 1 FROM range(?) t(i);
"""

_EDGES = """
INSERT INTO relationships (source, relationship_id, subject_source, subject_id, object_source,
    object_id, object_type, role, content_hash, first_seen, last_seen, crawl_id, raw)
SELECT src, 'e' || i::VARCHAR, src, 'r' || i::VARCHAR,
       CASE src WHEN 'gb_companies_house_psc' THEN 'gb_companies_house' ELSE src END,
       CASE WHEN i % 50 = 0 THEN 'missing' WHEN src = 'gb_land_registry' THEN 't' ELSE 'o' END
           || i::VARCHAR,
       CASE src WHEN 'gb_land_registry' THEN 'asset' ELSE 'record' END,
       CASE src WHEN 'gb_companies_house_psc' THEN 'psc' WHEN 'gb_land_registry' THEN 'proprietor'
                WHEN 'gleif' THEN 'is_directly_consolidated_by' ELSE 'director / treasurer' END,
       0, now(), now(), 1,
       CASE src WHEN 'gleif'
                THEN json_object('Registration.ValidationSources', 'FULLY_CORROBORATED')
                WHEN 'icij_offshore_leaks' THEN json_object('rel_type', 'officer_of') END
FROM (SELECT i, ['gb_companies_house_psc', 'gb_land_registry', 'gleif',
                 'icij_offshore_leaks'][i % 4 + 1] AS src
      FROM range(?) t(i))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=3_000_000)
    edges = parser.parse_args().edges
    with tempfile.TemporaryDirectory() as folder, connect(Path(folder) / "b.duckdb") as store:
        started = time.perf_counter()
        for statement in _FILL.split(";\n"):
            if statement.strip():
                store.con.execute(statement, [edges])
        store.con.execute(_EDGES, [edges])
        print(f"filled {edges} edges in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        counts = build_edges(store.con)
        seconds = time.perf_counter() - started
        print(f"{counts} in {seconds:.1f} s", flush=True)
        print(json.dumps({"edges": edges, "built": counts.edges, "seconds": round(seconds, 2)}))


if __name__ == "__main__":
    main()
