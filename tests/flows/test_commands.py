"""`oad run` and `oad schedule` as a user runs them: a bad configuration stops at once; a run
prints its summary and records itself; a schedule served against a real `prefect server start`
on 127.0.0.1 fires and records runs in the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.errors import StoreInUseError
from pipelines.store import connect
from tests.conftest import REPO
from tests.flows.conftest import wait_for

SAMPLE_CRAWL = REPO / "data" / "sample" / "crawl"
# a flow run outlives the schedule that started it by up to one run of the one-source config
STORE_FREED = 180.0


def oad(db: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> (
    subprocess.CompletedProcess[str]
):  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "cli", "--db", str(db), *args],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def one_source_config(folder: Path) -> Path:
    (folder / "inbox" / "debtors").mkdir(parents=True)
    (folder / "inbox" / "debtors" / "debtors.csv").write_bytes(
        (REPO / "data" / "sample" / "debtors.csv").read_bytes()
    )
    path = folder / "oad.toml"
    path.write_text(
        f'[crawl]\nserve = "{SAMPLE_CRAWL}"\n[[crawl.sources]]\nsource = "sg_acra"\n'
        '[imports]\nfolder = "inbox"\n[digest]\nfolder = "digests"\n',
        encoding="utf-8",
    )
    return path


def discovery_statuses(db: Path, wait: float = 0) -> list[str]:
    """The discovery runs' statuses, oldest first; none while the store is held (after WAIT s)."""
    if not db.exists():
        return []
    try:
        with connect(db, read_only=True, wait=wait) as store:
            rows = store.con.execute(
                "SELECT status FROM runs WHERE kind = 'discovery' ORDER BY run_id"
            ).fetchall()
    except StoreInUseError:
        return []
    return [row[0] for row in rows]


def test_a_bad_configuration_stops_the_run_at_once(tmp_path: Path) -> None:
    config = tmp_path / "oad.toml"
    config.write_text('[[crawl.sources]]\nsource = "gleif"\ndataset = "nope"\n', encoding="utf-8")
    done = oad(tmp_path / "s.duckdb", "run", "--config", str(config), timeout=120)
    assert done.returncode == 2
    assert f"{config}: crawl.sources.0: gleif has no dataset 'nope'" in done.stderr
    assert not (tmp_path / "s.duckdb").exists()


@pytest.mark.slow
def test_oad_run_prints_the_summary_and_records_the_run(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    done = oad(db, "run", "--config", str(one_source_config(tmp_path)),
               env={"PREFECT_HOME": str(tmp_path / "prefect")})  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "crawl sg_acra:default: finished" in done.stdout
    assert "import " in done.stdout and "debtors.csv: imported" in done.stdout
    assert "digest: " in done.stdout
    assert discovery_statuses(db) == ["finished"]
    listed = oad(db, "runs", "list", "--kind", "discovery")
    assert listed.returncode == 0 and "finished" in listed.stdout


@pytest.mark.slow
def test_a_schedule_fires_against_a_prefect_server(
    tmp_path: Path, prefect_server: dict[str, str]
) -> None:
    db = tmp_path / "s.duckdb"
    config = one_source_config(tmp_path)
    # its log goes to a file: a pipe nobody reads fills up (each run the schedule fires while
    # another holds the store logs a refusal), and the process then blocks writing to it
    log = tmp_path / "schedule.log"
    with log.open("w", encoding="utf-8") as written:
        served = subprocess.Popen(
            [sys.executable, "-m", "cli", "--db", str(db), "schedule", "--config", str(config),
             "--interval", "10"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **prefect_server},
            stdout=subprocess.DEVNULL, stderr=written, text=True,
        )  # fmt: skip
        try:
            wait_for(lambda: "finished" in discovery_statuses(db), 300, "a scheduled run")
        except AssertionError as waited:
            raise AssertionError(f"{waited}; its log ends:\n{log.read_text()[-3000:]}") from None
        finally:
            served.terminate()
            served.wait(timeout=60)
    # a run the schedule fired before it stopped may still hold the store for a while
    statuses = discovery_statuses(db, wait=STORE_FREED)
    assert statuses and statuses[0] == "finished", log.read_text()[-3000:]
