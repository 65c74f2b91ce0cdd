"""Matching at scale, engine by engine: DuckDB at 1 and 5 million records (100,000 debtors) and
Spark in local mode at a size it finishes in about ten minutes on two cores.

Each run is benchmarks/match.py in a process of its own; its peak memory here is the largest
sum over the whole process tree (feature workers and a Spark JVM included) of each process's
proportional set size: a page that forked workers share with the process they came from
counts once, split between them, where resident sizes would count it in each. Reading a
process's proportional size makes the kernel walk its pages (some 40 ms for a store of 2.5 GB),
and this process shares the run's two cores, so the sizes are read only when the tree's
resident sizes (cheap, read twice a second, never below the proportional sum) exceed the peak
so far, and at most one part in twenty of this process's time; `sampler_cpu_s` is what the
sampling took. Prints each run's figures as it ends, with the time of each stage; the last
line is one JSON object with all of them.

Run: .venv/bin/python benchmarks/scale.py [--duckdb 1000000,5000000] [--spark 200000]
         [--debtors 100000] [--spark-debtors 20000] [--spark-master local[2]]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

MATCH = Path(__file__).resolve().parent / "match.py"
STAGES = ("features_s", "candidates_s", "training_s", "predict_s", "write_s")
# the candidates stage's own steps (matching/candidates.py)
CANDIDATE_STEPS = ("candidates_keys_s", "candidates_dense_s", "candidates_rerank_s",
                   "candidates_rest_s")  # fmt: skip


TICK_S = 0.5  # how often the resident sizes are read
SAMPLER_SHARE = 20  # after a read of proportional sizes taking t, none for SAMPLER_SHARE * t


def tree_memory(process: psutil.Process, proportional: bool = True) -> int:
    """Proportional (or resident) set size, in bytes, of PROCESS and every process below it."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_full_info().pss if proportional else member.memory_info().rss
        except psutil.Error:
            continue  # ended between listing and reading
    return total


def sampler_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def watch_peak(child: subprocess.Popen[bytes], watched: psutil.Process) -> int:
    """The tree's peak proportional size until CHILD ends."""
    peak, next_read = 0, 0.0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            now = time.perf_counter()
            # a proportional sum never exceeds the resident one: below the peak, no need
            if now >= next_read and tree_memory(watched, proportional=False) > peak:
                peak = max(peak, tree_memory(watched))
                next_read = now + SAMPLER_SHARE * (time.perf_counter() - now)
        time.sleep(TICK_S)
    return peak


def run(arguments: list[str]) -> dict[str, object]:
    """benchmarks/match.py with ARGUMENTS; its JSON figures, with the tree's peak memory."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as printed:
        child = subprocess.Popen([sys.executable, str(MATCH), *arguments], stdout=printed)
        sampling_started = sampler_cpu_s()
        peak = watch_peak(child, psutil.Process(child.pid))
        sampling = sampler_cpu_s() - sampling_started
        printed.seek(0)
        output = printed.read()
    if child.returncode != 0:
        raise SystemExit(f"benchmarks/match.py {' '.join(arguments)} failed ({child.returncode})")
    figures: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    figures["tree_peak_memory_gb"] = round(peak / 1e9, 2)
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    figures["sampler_cpu_s"] = round(sampling, 1)
    return figures


def show(figures: dict[str, object]) -> None:
    stages = ", ".join(f"{s[:-2]} {figures[s]} s" for s in STAGES if s in figures)
    steps = ", ".join(f"{s[11:-2]} {figures[s]} s" for s in CANDIDATE_STEPS if s in figures)
    stages += f" (of candidates: {steps})" if steps else ""
    print(
        f"{figures['engine']} {figures['debtors']:,} x {figures['records']:,}: "
        f"{figures['end_to_end_s']} s ({stages}; the machine's CPU {figures.get('cpu_s')} s, "
        f"stolen {figures.get('stolen_s')} s; reference loop before and after "
        f"{figures.get('reference_loop_s')} s); "
        f"peak {figures['tree_peak_memory_gb']} GB; "
        f"pairs {figures['pairs']:,}, completeness {figures['pairs_completeness']}, "
        f"recall@10 {figures['recall_at_10']}"
        + (f"; daily {figures['daily_s']} s" if "daily_s" in figures else ""),
        flush=True,
    )


def sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duckdb", type=sizes, default=[1_000_000, 5_000_000])
    parser.add_argument("--spark", type=sizes, default=[200_000])
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--spark-debtors", type=int, default=20_000)
    parser.add_argument("--spark-master", default="local[2]")
    args = parser.parse_args()
    results: dict[str, list[dict[str, object]]] = {"duckdb": [], "spark": []}
    for records in args.duckdb:
        figures = run(["--debtors", str(args.debtors), "--records", str(records)])
        results["duckdb"].append(figures)
        show(figures)
    for records in args.spark:
        figures = run(
            ["--debtors", str(args.spark_debtors), "--records", str(records), "--daily", "0",
             "--engine", "spark", "--spark-master", args.spark_master]
        )  # fmt: skip
        results["spark"].append(figures)
        show(figures)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
