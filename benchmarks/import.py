"""Import speed: `oad records import` against DuckDB's own read_csv, and a large debtor list.

Run: .venv/bin/python benchmarks/import.py [--records N] [--debtors N]
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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from stdnum.cn import ric, uscc

SYLLABLES = [
    "chan",
    "wong",
    "lee",
    "cheung",
    "lau",
    "ho",
    "ng",
    "yip",
    "tang",
    "kwok",
    "wah",
    "ming",
    "keung",
    "tai",
    "man",
    "hui",
    "ka",
    "yan",
]
FORMS = ["LIMITED", "HOLDINGS LIMITED", "INVESTMENT CO., LTD.", "INTERNATIONAL LTD", "INC"]


def write_records(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["source_id", "name", "kind", "alt_names", "jurisdiction", "registration_number",
             "incorporation_date", "birth_date", "nationality", "country_of_residence", "address"]
        )  # fmt: skip
        for i in range(count):
            words = " ".join(rng.choice(SYLLABLES).upper() for _ in range(rng.randint(1, 3)))
            if i % 3:
                row = [f"C{i:08d}", f"{words} {rng.choice(FORMS)}", "company", "", "HK",
                       str(100000 + i), f"{rng.randint(1970, 2024)}-{rng.randint(1, 12):02d}-15",
                       "", "", "", f"{i} QUEEN'S ROAD CENTRAL, HONG KONG"]  # fmt: skip
            else:
                row = [f"P{i:08d}", words, "person", "", "", "", "",
                       f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}", "Chinese",
                       "Hong Kong", ""]  # fmt: skip
            out.writerow(row)


def write_debtors(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", encoding="gb18030", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["债务人编号", "名称", "类型", "证件号码", "关联人", "欠款金额", "币种"])
        for i in range(count):
            if i % 2:
                body = f"{rng.choice(['110105', '110108', '310104'])}{rng.randint(1950, 2000)}"
                body += f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{i % 1000:03d}"
                number, name, kind = body + ric.calc_check_digit(body + "0"), "张伟", "个人"
            else:
                body = f"91440300MA{i:07d}".ljust(17, "0")
                number, name, kind = body + uscc.calc_check_digit(body), f"深圳{i}有限公司", "公司"
            if i % 50 == 0:
                number = number[:-1] + ("0" if number[-1] != "0" else "1")  # a few invalid
            out.writerow([f"D{i:07d}", name, kind, number, "张三:法定代表人", "100000.00", "CNY"])


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of COMMAND, and what it printed."""
    started, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    used = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu
    return time.perf_counter() - started, used, done.stdout.strip()


def duckdb_read_csv(path: Path, db: Path) -> tuple[float, float]:
    started, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE baseline AS SELECT * FROM read_csv(?)", [str(path)])
    con.close()
    return time.perf_counter() - started, cpu_seconds(resource.RUSAGE_SELF) - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--debtors", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    oad = [sys.executable, "-m", "cli"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        records_csv, debtors_csv = work / "records.csv", work / "debtors.csv"
        write_records(records_csv, args.records, rng)
        write_debtors(debtors_csv, args.debtors, rng)
        size_mb = records_csv.stat().st_size / 1e6
        print(f"records file: {args.records:,} rows, {size_mb:.0f} MB")
        baseline, baseline_cpu = duckdb_read_csv(records_csv, work / "baseline.duckdb")
        print(f"duckdb read_csv into a table: {baseline:.2f} s (CPU {baseline_cpu:.2f} s)")
        records_import = [*oad, "--db", str(work / "oad.duckdb"), "records", "import",
                          str(records_csv), "--source", "bench"]  # fmt: skip
        oad_records, oad_cpu, said = timed(records_import)
        print(f"oad records import: {oad_records:.2f} s (CPU {oad_cpu:.2f} s; {said})")
        ratio = baseline / oad_records
        print(f"ratio (oad speed / duckdb speed): {ratio:.2f} (target >= 0.5)")
        print(f"ratio of CPU time (duckdb / oad): {baseline_cpu / oad_cpu:.2f}")
        rerun, _, said = timed(records_import)
        print(f"oad records import, same file again: {rerun:.2f} s ({said})")
        oad_debtors, _, said = timed(
            [*oad, "--db", str(work / "oad.duckdb"), "debtors", "import", str(debtors_csv)]
        )
        print(f"oad debtors import, {args.debtors:,} GB18030 rows: {oad_debtors:.2f} s ({said})")
    figures = {
        "records": args.records,
        "duckdb_read_csv_s": round(baseline, 3),
        "duckdb_read_csv_cpu_s": round(baseline_cpu, 3),
        "oad_records_import_s": round(oad_records, 3),
        "oad_records_import_cpu_s": round(oad_cpu, 3),
        "records_per_s": round(args.records / oad_records),
        "ratio_to_duckdb": round(ratio, 3),
        "cpu_ratio_to_duckdb": round(baseline_cpu / oad_cpu, 3),
        "records_reimport_s": round(rerun, 3),
        "debtors": args.debtors,
        "oad_debtors_import_s": round(oad_debtors, 3),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
