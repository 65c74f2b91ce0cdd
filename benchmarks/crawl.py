"""Crawl speed: a 500,000-row BasicCompanyData-shaped CSV (zipped) served on 127.0.0.1, crawled
as `oad crawl` crawls (`spiders.runner.run_crawl`: the spider and the store pipeline in a process
of their own, the merge into DuckDB at the end), against DuckDB's own read_csv of the
same CSV into a table.

Run: .venv/bin/python benchmarks/crawl.py [--rows N]
Prints its figures as it goes; the last line is one JSON object with all of them. Beside each
wall-clock time is the CPU time it took (all threads), which other load on the machine changes
far less.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from spiders.localserver import LocalServer, Reply  # noqa: E402
from spiders.runner import run_crawl  # noqa: E402

HEADER_FILE = REPO / "tests/spiders/fixtures/gb_companies_house"
FILE = "BasicCompanyDataAsOneFile-2025-01-01"
WORDS = ["WONG", "CHAN", "HUA", "XIN", "GREAT", "WALL", "JADE", "RIVER", "DRAGON", "LION"]


def header() -> list[str]:
    with zipfile.ZipFile(HEADER_FILE / f"{FILE}.zip") as archive:
        text = archive.read(f"{FILE}.csv").decode("utf-8")
    return next(csv.reader(text.splitlines()))


def write_csv(path: Path, rows: int) -> None:
    names = header()
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(names)
        for i in range(rows):
            row = [""] * len(names)
            row[0] = f"{' '.join(rng.choice(WORDS) for _ in range(3))} {i} LIMITED"
            row[1] = f"{i:08d}"
            row[4], row[6], row[9] = f"{i % 999} HIGH STREET", "LONDON", "EC1A 1BB"
            row[10], row[11], row[12] = "Private Limited Company", "Active", "United Kingdom"
            row[14] = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2024)}"
            row[26] = "70229 - Management consultancy activities other than financial management"
            row[32] = f"http://business.data.gov.uk/id/company/{i:08d}"
            if i % 10 == 0:
                row[33], row[34] = "01/02/2015", f"FORMER NAME {i} LIMITED"
            writer.writerow(row)


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    rows = parser.parse_args().rows
    work = Path(tempfile.mkdtemp(prefix="oad-crawl-bench-"))
    try:
        csv_path = work / f"{FILE}.csv"
        write_csv(csv_path, rows)
        zip_path = work / f"{FILE}.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.write(csv_path, csv_path.name)
        sizes = csv_path.stat().st_size >> 20, zip_path.stat().st_size >> 20
        print(f"{rows} rows: CSV {sizes[0]} MiB, zip {sizes[1]} MiB")

        con = duckdb.connect(str(work / "baseline.duckdb"))
        started, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true)", [str(csv_path)]
        )
        baseline = time.perf_counter() - started
        baseline_cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu
        con.close()
        print(
            f"DuckDB read_csv into a table: {baseline:.2f} s, CPU {baseline_cpu:.2f} s"
            f" ({rows / baseline:,.0f} rows/s)"
        )

        with LocalServer() as server:
            server.route(f"/{FILE}.zip", Reply(body=zip_path.read_bytes()))
            started = time.perf_counter()
            cpu = cpu_seconds(resource.RUSAGE_CHILDREN) + cpu_seconds(resource.RUSAGE_SELF)
            outcome = run_crawl(
                "gb_companies_house", "basic", work / "crawl.duckdb", base_url=server.url(),
                settings=["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_START_DELAY=0"],
            )  # fmt: skip
            crawl_seconds = time.perf_counter() - started
            used = cpu_seconds(resource.RUSAGE_CHILDREN) + cpu_seconds(resource.RUSAGE_SELF)
            crawl_cpu = used - cpu
        assert outcome.status == "finished" and outcome.counts["new"] == rows, outcome.summary()
        per_second = rows / crawl_seconds
        ratio = baseline / crawl_seconds
        print(f"crawl (spider + pipeline + merge, own process): {crawl_seconds:.2f} s,"
              f" CPU {crawl_cpu:.2f} s")  # fmt: skip
        print(f"{per_second:,.0f} items/s; {ratio:.2f} of DuckDB read_csv's speed (target >= 0.3)")
        print(f"ratio of CPU time (read_csv / crawl): {baseline_cpu / crawl_cpu:.2f}")
        print(
            json.dumps(
                {
                    "rows": rows,
                    "crawl_seconds": round(crawl_seconds, 2),
                    "crawl_cpu_seconds": round(crawl_cpu, 2),
                    "items_per_second": round(per_second),
                    "duckdb_read_csv_seconds": round(baseline, 2),
                    "duckdb_read_csv_cpu_seconds": round(baseline_cpu, 2),
                    "ratio_to_read_csv": round(ratio, 3),
                    "cpu_ratio_to_read_csv": round(baseline_cpu / crawl_cpu, 3),
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
