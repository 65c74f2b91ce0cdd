"""A discovery run after a day's changes, against the whole run it saves.

The store of benchmarks/match.py (100,000 debtors, 1,000,000 records: the bundled Hong Kong
register pairs, generated persons, recombined register words), matched and its leads built;
then 10,000 of its records change (a vendor file dropped in the inbox with new names and
addresses for them) and the discovery flow runs once as `oad run` runs it: Prefect's temporary
API, the import of the dropped file, matching of what changed, the leads, the digest. No source
is crawled (no network). Prefect's own share is the flow's wall time less its steps' seconds.
Beside it: the whole match and leads build over the same store.

Run: .venv/bin/python benchmarks/incremental.py [--debtors N] [--records N] [--changed N]
     [--keep DIR | --reuse DIR] [--no-full]
Building the store takes a quarter of an hour or more: --keep DIR saves it (matched, its leads
built, the changes waiting in its inbox) and --reuse DIR starts from a scratch copy of it;
--no-full leaves out the whole rerun. The last line printed is one JSON object with the figures
(target: the discovery run under 2 minutes on 2 cores), the match step's parts among them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from match import SEED, peak_gb, write_data  # noqa: E402

from matching.run import run_matching  # noqa: E402
from pipelines.debtors import import_debtors  # noqa: E402
from pipelines.leads.run import run_leads  # noqa: E402
from pipelines.leads.walk import WalkLimits  # noqa: E402
from pipelines.records import import_records  # noqa: E402
from pipelines.store import Store, connect  # noqa: E402


def write_changes(work: Path, count: int, rng: random.Random) -> Path:
    """COUNT of the store's records again, each with a new name word and a new address."""
    with (work / "records.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    folder = work / "inbox" / "bench"
    folder.mkdir(parents=True)
    path = folder / "changes.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=[*rows[0], "address"])
        out.writeheader()
        for row in rng.sample(rows, count):
            renamed = f"{row['name']} {rng.choice(['GLOBAL', 'PACIFIC', 'ASIA'])}"
            out.writerow({**row, "name": renamed, "address": f"{rng.randint(1, 99)} QUEEN'S ROAD"})
    return path


def write_config(work: Path) -> Path:
    path = work / "oad.toml"
    path.write_text('[imports]\nfolder = "inbox"\n[digest]\nfolder = "digests"\n', "utf-8")
    return path


def build_store(work: Path, args: argparse.Namespace, figures: dict[str, object]) -> Path:
    db = work / "bench.duckdb"
    write_data(work, args.debtors, args.records, random.Random(SEED))
    with connect(db) as store:
        import_debtors(store, work / "debtors.csv")
        import_records(store, work / "records.csv", "bench")
        tick = time.perf_counter()
        run_matching(store)
        run_leads(store, WalkLimits())
        figures["first_match_and_leads_s"] = round(time.perf_counter() - tick, 1)
    return db


def keep(work: Path, db: Path, saved: Path, figures: dict[str, object]) -> None:
    """The built store (matched, its leads built), the changes waiting in the inbox and the
    first build's seconds, for later runs to start from (--reuse)."""
    saved.mkdir(parents=True, exist_ok=True)
    shutil.copy2(db, saved / db.name)
    shutil.copytree(work / "inbox", saved / "inbox", dirs_exist_ok=True)
    (saved / "figures.json").write_text(
        json.dumps({"first_match_and_leads_s": figures["first_match_and_leads_s"]}), "utf-8"
    )


def restore(saved: Path, work: Path, figures: dict[str, object]) -> Path:
    """A scratch copy of a store saved with --keep, its changes dropped in the inbox again."""
    db = work / "bench.duckdb"
    shutil.copy2(saved / db.name, db)
    shutil.copytree(saved / "inbox", work / "inbox")
    figures.update(json.loads((saved / "figures.json").read_text("utf-8")))
    return db


def discovery(work: Path, db: Path, figures: dict[str, object]) -> None:
    from flows.discovery import discovery_flow

    tick = time.perf_counter()
    result = discovery_flow(str(write_config(work)), str(db))
    wall = time.perf_counter() - tick
    steps = result["seconds"]
    figures["discovery_run_s"] = round(wall, 1)
    figures.update({f"discovery_{name}_s": seconds for name, seconds in steps.items()})
    figures["prefect_overhead_s"] = round(wall - sum(steps.values()), 1)
    match = result["steps"]["match"]
    figures["rematched_pairs"] = match["scored_pairs"]
    figures["match_run_id"] = match["run_id"]
    figures["match_parts_s"] = {part: round(s, 1) for part, s in match["seconds"].items()}
    figures["leads"] = result["steps"]["leads"]["counts"]
    print(
        f"discovery run: {wall:.1f} s ({', '.join(f'{k} {v} s' for k, v in steps.items())};"
        f" Prefect {figures['prefect_overhead_s']} s), {figures['rematched_pairs']:,} pairs;"
        f" match: {figures['match_parts_s']}"
    )


def full_rerun(db: Path, figures: dict[str, object], match_run: int) -> None:
    """The whole match and leads build again; and what it pairs the changed records with,
    against what the discovery run's incremental match paired them with."""
    with connect(db) as store:
        incremental = changed_pairs(store, match_run)
        tick = time.perf_counter()
        run_matching(store)
        run_leads(store, WalkLimits())
        figures["full_rerun_s"] = round(time.perf_counter() - tick, 1)
        whole = changed_pairs(store, None, {(s, r) for _, s, r in incremental})
    print(f"full rerun (match and leads): {figures['full_rerun_s']} s")
    for threshold in (0.0, 0.5, 0.9):
        above = {pair for pair, p in whole.items() if p >= threshold}
        found = {pair for pair, p in incremental.items() if p >= threshold}
        figures[f"changed_pairs_at_{threshold}"] = {
            "whole": len(above),
            "incremental": len(found),
            "both": len(above & found),
        }
    print("changed records' pairs, whole run against incremental:",
          {k: v for k, v in figures.items() if k.startswith("changed_pairs")})  # fmt: skip


def changed_pairs(
    store: Store, run_id: int | None, records: set[tuple[str, str]] | None = None
) -> dict[tuple[str, str, str], float]:
    """The pairs (and probabilities) the match run RUN_ID wrote, or those of RECORDS."""
    rows = store.con.execute(
        "SELECT debtor_id, source, source_id, match_probability, run_id FROM matches"
    ).fetchall()
    return {
        (d, s, r): p
        for d, s, r, p, run in rows
        if (run == run_id if records is None else (s, r) in records)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="save the built store and its changes here")
    parser.add_argument("--reuse", type=Path, help="start from a store saved with --keep")
    parser.add_argument("--no-full", action="store_true", help="skip the full rerun")
    args = parser.parse_args()
    figures: dict[str, object] = {"debtors": args.debtors, "records": args.records,
                                  "changed": args.changed}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ.setdefault("PREFECT_HOME", str(work / "prefect"))
        if args.reuse:
            db = restore(args.reuse, work, figures)
        else:
            db = build_store(work, args, figures)
            write_changes(work, args.changed, random.Random(12))
            if args.keep:
                keep(work, db, args.keep, figures)
        print(f"store built, matched and its leads built in {figures['first_match_and_leads_s']} s")
        discovery(work, db, figures)
        if not args.no_full:
            full_rerun(db, figures, int(str(figures["match_run_id"])))
    figures["peak_memory_gb"] = round(peak_gb(), 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
