# ruff: noqa: E501  (long literal data lines)
"""Matching at scale: 100,000 debtors against 1,000,000 foreign records, then the daily case.

Synthetic, deterministic data built from the bundled Hong Kong registry pairs: company debtors
carry the Chinese names of real registry rows (their English rows are among the records), other
records are recombinations of real English name words, no two company records with the same name
(as on a register); person debtors get generated Chinese names, some of which appear abroad
in pinyin with a birth month.

Run: .venv/bin/python benchmarks/match.py [--debtors N] [--records N] [--daily N]
         [--engine duckdb|spark] [--spark-master URL]
Prints its figures as it goes; the last line is one JSON object with all of them. `--daily 0`
leaves the daily case out. The peak memory it prints is this process's and its feature workers';
benchmarks/scale.py measures the whole process tree (a Spark engine's JVM included). Beside
the run's times: the machine's busy and stolen CPU seconds over the run (`cpu_s`, `stolen_s`)
and a fixed loop's seconds before and after it (`reference_loop_s`): runs of the same code on
this kind of shared machine differ by a tenth and more, and these tell the machine's share.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import opencc
from pypinyin import lazy_pinyin
from stdnum.cn import ric, uscc

from matching.engine import ENGINES, LOCAL_MASTER, Engine
from matching.ranking import RANKED
from matching.run import run_matching
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import Store, connect

REPO = Path(__file__).resolve().parents[1]
HK = [REPO / "data" / "hk_companies_registry" / name for name in ("SP_2.csv", "SP_5.csv")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力志鹏飞宇浩然俊峰"
SEED = 11  # one sequence for every size: a smaller size's records are the first of a larger's
FORMS = ["LIMITED", "COMPANY LIMITED", "HOLDINGS LIMITED", "INTERNATIONAL LIMITED", "CO., LTD."]


def hk_pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for path in HK:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in list(csv.reader(handle))[1:]:
                english, _, chinese = row[2].partition("\n")
                if english.strip():
                    pairs.append((row[1], english.strip(), chinese.strip()))
    return pairs


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def write_data(work: Path, debtors: int, records: int, rng: random.Random) -> set[tuple[str, str]]:
    """Debtor and record files; returns the true (debtor_id, source_id) pairs."""
    t2s = opencc.OpenCC("t2s")
    pairs = hk_pairs()
    bilingual = [p for p in pairs if p[2]]
    words = sorted({w for _, english, _ in pairs for w in english.split() if w.isalpha()})
    truth: set[tuple[str, str]] = set()
    company_debtors = min(int(debtors * 0.8), len(bilingual))
    with (work / "debtors.csv").open("w", encoding="utf-8", newline="") as d_file, \
         (work / "records.csv").open("w", encoding="utf-8", newline="") as r_file:  # fmt: skip
        d_out, r_out = csv.writer(d_file), csv.writer(r_file)
        d_out.writerow(["debtor_id", "name", "kind", "id_number"])
        r_out.writerow(["source_id", "name", "kind", "jurisdiction", "birth_date", "nationality"])
        written = 0
        for index, (number, english, chinese) in enumerate(bilingual[:company_debtors]):
            body = f"91440300MA{index:07d}".ljust(17, "0")
            d_out.writerow([f"C{index}", t2s.convert(chinese), "company",
                            body + uscc.calc_check_digit(body)])  # fmt: skip
            r_out.writerow([f"hk{number}", english, "company", "HK", "", ""])
            truth.add((f"C{index}", f"hk{number}"))
            written += 1
        for index in range(debtors - company_debtors):
            name, born = person_name(rng), f"{rng.randint(1950, 1995)}{rng.randint(1, 12):02d}15"
            body = f"110105{born}{index % 1000:03d}"
            d_out.writerow([f"P{index}", name, "person", body + ric.calc_check_digit(body + "0")])
            if index % 5 == 0:
                syllables = lazy_pinyin(name)
                published = f"{syllables[0].upper()} {''.join(syllables[1:]).title()}"
                r_out.writerow([f"pp{index}", published, "person", "", f"{born[:4]}-{born[4:6]}",
                                "Chinese"])  # fmt: skip
                truth.add((f"P{index}", f"pp{index}"))
                written += 1
        taken = {english for _, english, _ in bilingual[:company_debtors]}
        while written < records:
            if written % 5:
                name = unique_company_name(rng, words, taken)
                r_out.writerow([f"x{written}", name, "company", "HK", "", ""])
            else:
                syllables = lazy_pinyin(person_name(rng))
                published = f"{syllables[0].upper()} {''.join(syllables[1:]).title()}"
                r_out.writerow([f"x{written}", published, "person", "",
                                f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}", "Chinese"])  # fmt: skip
            written += 1
    return truth


def unique_company_name(rng: random.Random, words: list[str], taken: set[str]) -> str:
    """One to three register words and a legal form, a name no record has yet (TAKEN grows by
    it): a register does not hold the same company name twice, and repeats made it hold them
    here, some ten times each at five million records (one in three names is one word)."""
    while True:
        words_of_name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        name = f"{words_of_name} {rng.choice(FORMS)}"
        if name not in taken:
            taken.add(name)
            return name


def write_daily(work: Path, count: int, rng: random.Random) -> Path:
    path = work / "daily.csv"
    words = ["GOLDEN", "DRAGON", "PACIFIC", "HARBOUR", "JADE", "ORIENT", "UNITED", "GRAND"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["source_id", "name", "kind", "jurisdiction"])
        for index in range(count):
            name = " ".join(rng.choice(words) for _ in range(2))
            out.writerow([f"daily{index}", f"{name} {rng.choice(FORMS)}", "company", "VG"])
    return path


REFERENCE_ADDITIONS = 30_000_000


def reference_loop_s() -> float:
    """Seconds a fixed loop of Python additions takes: the machine's own speed at the time, so
    that a run on a slowed machine can be told from a change in the code."""
    started, total = time.perf_counter(), 0
    for number in range(REFERENCE_ADDITIONS):
        total += number
    return round(time.perf_counter() - started, 2)


def machine_seconds() -> tuple[float, float]:
    """(busy, stolen) CPU seconds of the whole machine so far, over all cores, from
    /proc/stat: a run's workers are children of a fork server, whose time reaches no
    resource usage of this process, so the machine's is read (quiet but for the run)."""
    with open("/proc/stat", encoding="ascii") as stat:
        user, nice, system, _, _, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def peak_gb() -> float:
    """The largest resident size of this process or any one feature worker process."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1e6


def quality(store: Store, truth: set[tuple[str, str]], threshold: float) -> dict[str, object]:
    """Pairs completeness (true pairs among the scored candidates), recall@10, and by kind the
    links (pairs at THRESHOLD or above) with their precision and recall."""
    ranked = store.con.execute(
        f"SELECT debtor_id, source_id, rank, match_probability FROM ({RANKED})"
        " WHERE source = 'bench'"
    ).fetchall()
    found = {(d, s) for d, s, _, _ in ranked}
    top = {(d, s) for d, s, rank, _ in ranked if rank <= 10}
    total = max(len(truth), 1)
    figures: dict[str, object] = {
        "pairs_completeness": round(len(truth & found) / total, 3),
        "recall_at_10": round(len(truth & top) / total, 3),
    }
    for kind, prefix in (("company", "C"), ("person", "P")):
        links = {(d, s) for d, s, _, p in ranked if p >= threshold and d.startswith(prefix)}
        wanted = {pair for pair in truth if pair[0].startswith(prefix)}
        right = len(links & wanted)
        figures[f"{kind}_links"] = {
            "links": len(links),
            "precision": round(right / len(links), 3) if links else None,
            "recall": round(right / len(wanted), 3) if wanted else None,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--daily", type=int, default=10_000)
    parser.add_argument("--engine", choices=ENGINES, default="duckdb")
    parser.add_argument("--spark-master", default=LOCAL_MASTER)
    args = parser.parse_args()
    engine = Engine(args.engine, args.spark_master)
    rng = random.Random(SEED)
    figures: dict[str, object] = {"debtors": args.debtors, "records": args.records,
                                  "engine": args.engine}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        truth = write_data(work, args.debtors, args.records, rng)
        with connect(work / "bench.duckdb") as store:
            import_debtors(store, work / "debtors.csv")
            import_records(store, work / "records.csv", "bench")
            loop_before = reference_loop_s()
            started, (busy, stolen) = time.perf_counter(), machine_seconds()
            summary = run_matching(store, engine=engine)
            figures["end_to_end_s"] = round(time.perf_counter() - started, 1)
            busy_after, stolen_after = machine_seconds()
            figures["cpu_s"] = round(busy_after - busy, 1)  # over every core
            figures["stolen_s"] = round(stolen_after - stolen, 1)  # taken by the host
            figures["reference_loop_s"] = [loop_before, reference_loop_s()]
            for step, seconds in summary.seconds.items():
                figures[f"{step}_s"] = round(seconds, 1)
            figures["pairs"] = summary.candidate_pairs
            figures["links"] = summary.links
            figures.update(quality(store, truth, summary.threshold))
            print(
                ", ".join(f"{k} {figures[k]}" for k in figures if k not in ("debtors", "records"))
            )
            if args.daily > 0:
                run_daily(store, work, args.daily, rng, engine, figures)
    figures["peak_memory_gb"] = round(peak_gb(), 2)
    print(f"peak memory: {figures['peak_memory_gb']} GB")
    print(json.dumps(figures))


def run_daily(
    store: Store,
    work: Path,
    count: int,
    rng: random.Random,
    engine: Engine,
    figures: dict[str, object],
) -> None:
    """COUNT new records, matched incrementally."""
    import_records(store, write_daily(work, count, rng), "daily")
    tick = time.perf_counter()
    daily = run_matching(store, incremental=True, engine=engine)
    figures["daily_s"] = round(time.perf_counter() - tick, 1)
    figures["daily_pairs"] = daily.candidate_pairs
    print(f"daily: {count:,} new records in {figures['daily_s']} s "
          f"({daily.candidate_pairs:,} pairs, model reused: {not daily.trained})")  # fmt: skip


if __name__ == "__main__":
    main()
