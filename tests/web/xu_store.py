"""A store for the workbench's end-to-end tests: the bundled sample's debtors and Hong Kong
register rows, and 许家印 (P900) with the person records foreign registers would hold under his
name: two of his own spellings, a namesake born twenty years later, and a record whose crawled
name carries a script tag. Matched by the real `oad match`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample"
XU = "P900"
DEBTORS_CSV = """debtor_id,name,kind,birth_date,nationality
P900,许家印,person,1958-10-09,中国
"""
# his name as Hong Kong registers print it (Cantonese), as a UK register prints it (pinyin),
# a namesake, and a name as hostile as a crawled page could make it
OFFICERS_CSV = """source_id,name,kind,birth_date,nationality,country_of_residence
hk-p1,HUI KA YAN,person,1958-10,CHINESE,HONG KONG
gb-p2,"XU, Jiayin",person,1958-10,CHINESE,CHINA
gb-p3,XU JIAYIN,person,1978-03,CHINESE,UNITED KINGDOM
gb-p4,<script>alert('x')</script>XU Jia Yin,person,1958-10,CHINESE,CHINA
"""
HOSTILE_RECORD = "<script>alert('x')</script>XU Jia Yin"


def oad(db: Path, *args: str) -> str:
    """`oad --db DB ARGS` as a user runs it; its output. Fails the test naming the command."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", "--db", str(db), *args],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"oad {' '.join(args)}\n{done.stdout}{done.stderr[-3000:]}"
    return done.stdout


def build_xu_store(db: Path) -> None:
    folder = db.parent
    (folder / "xu_debtors.csv").write_text(DEBTORS_CSV, encoding="utf-8")
    (folder / "officers.csv").write_text(OFFICERS_CSV, encoding="utf-8")
    oad(db, "debtors", "import", str(SAMPLE / "debtors.csv"))
    oad(db, "debtors", "import", str(folder / "xu_debtors.csv"))
    hk_rows = SAMPLE / "records" / "hk_companies_registry.csv"
    oad(db, "records", "import", str(hk_rows), "--source", "hk_companies_registry")
    oad(db, "records", "import", str(folder / "officers.csv"), "--source", "officers")
    oad(db, "match")
