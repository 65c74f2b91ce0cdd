"""`make demo`'s imports and crawls as commands, run once a test session into a store that the
crawl tests check and the sample's lead tests build on."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import load_config

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DemoCrawl:
    """The store the demo's steps filled, and each step with what it printed."""

    db: Path
    steps: list[tuple[list[str], subprocess.CompletedProcess[str]]]


def demo_steps(db: Path) -> list[list[str]]:
    """The demo's discovery run as commands against DB: the files the Makefile drops in
    out/inbox/ imported, then each source of data/sample/discovery.toml crawled from its served
    folder (the flow itself runs in tests/flows/)."""
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    recipe = lines[lines.index("demo: setup") + 1 :]
    oad = [sys.executable, "-m", "cli", "--db", str(db)]
    steps = []
    for line in recipe[: next(i for i, line in enumerate(recipe) if not line.startswith("\t"))]:
        if line.strip().startswith("cp data/sample/"):
            _, file, folder = line.split()
            source = Path(folder).name
            kind = ["debtors", "import", file] if source == "debtors" else [
                "records", "import", file, "--source", source]  # fmt: skip
            steps.append([*oad, *kind])
    config = load_config(REPO / "data" / "sample" / "discovery.toml")
    for crawl in config.crawl.sources:
        dataset = ["--dataset", crawl.dataset] if crawl.dataset else []
        steps.append([*oad, "crawl", crawl.source, *dataset, "--serve", str(config.crawl.serve),
                      "-s", "LOG_LEVEL=WARNING"])  # fmt: skip
    return steps


def run_demo_crawl(db: Path) -> DemoCrawl:
    """Each of the demo's steps against DB, in order; the first that fails stops the rest."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done: list[tuple[list[str], subprocess.CompletedProcess[str]]] = []
    for step in demo_steps(db):
        ran = subprocess.run(
            step, cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False
        )
        done.append((step, ran))
        if ran.returncode != 0:
            break
    return DemoCrawl(db, done)
