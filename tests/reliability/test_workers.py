"""`oad match` spreads name features over worker processes; they end with the command, however
it ends, and a killed run leaves the store as it was before the run."""

from __future__ import annotations

import csv
import itertools
import signal
from pathlib import Path

import psutil
import pytest

from matching.features import refresh_features
from pipelines.store import connect
from tests.conftest import REPO
from tests.reliability.helpers import descendants, gone, oad, scalar, start, wait_for

DATA = REPO / "tests" / "data" / "matching"
# small batches, so the set's 10,400 records make thousands of them: the workers stay busy
WORKERS = {"OAD_FEATURE_BATCH": "4", "OAD_WORKERS": "2"}


def _load(db: Path, records: Path) -> Path:
    for args in (
        ("debtors", "import", str(DATA / "debtors.csv")),
        ("records", "import", str(records), "--source", "hk_companies_registry"),
    ):
        assert oad(db, "-q", *args).returncode == 0
    return db


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    return _load(tmp_path / "s.duckdb", DATA / "hk_records.csv")


def _first_rows(source: Path, rows: int, written: Path) -> Path:
    """SOURCE's header and its first ROWS records, in WRITTEN."""
    with (
        source.open(encoding="utf-8", newline="") as read,
        written.open("w", encoding="utf-8", newline="") as write,
    ):
        csv.writer(write).writerows(itertools.islice(csv.reader(read), rows + 1))
    return written


def _workers(pid: int) -> list[psutil.Process]:
    """The feature workers under PID (multiprocessing's forkserver and its children)."""
    found = []
    for process in descendants(pid):
        try:
            if "multiprocessing" in " ".join(process.cmdline()):
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill -9", "term"])
def test_no_worker_outlives_a_killed_match(loaded: Path, signum: int) -> None:
    # multiprocessing's folder of a killed run stays behind: in the test's own folder
    running = start(loaded, "-q", "match", env={**WORKERS, "TMPDIR": str(loaded.parent)})
    seen: list[psutil.Process] = []

    def busy() -> bool:
        seen[:] = _workers(running.pid)
        return len(seen) >= 3 or running.poll() is not None  # the forkserver and two workers

    wait_for(busy, timeout=120, what="feature workers")
    assert running.poll() is None, "the run ended before its workers could be seen"
    everything = descendants(running.pid)
    running.send_signal(signum)
    running.wait(timeout=60)
    assert gone(everything, timeout=30), [p.cmdline() for p in everything if p.is_running()]
    assert scalar(loaded, "SELECT count(*) FROM matches") == 0
    assert scalar(loaded, "SELECT count(*) FROM runs WHERE status = 'finished'") == 0


@pytest.mark.slow
def test_a_match_with_workers_gives_what_one_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fifth of the set in batches of 20: a hundred batches for the two workers
    records = _first_rows(DATA / "hk_records.csv", 2_000, tmp_path / "records.csv")
    loaded = _load(tmp_path / "s.duckdb", records)
    alone = tmp_path / "alone.duckdb"
    alone.write_bytes(loaded.read_bytes())
    assert oad(loaded, "-q", "match", env={**WORKERS, "OAD_FEATURE_BATCH": "20"}).returncode == 0
    monkeypatch.setenv("OAD_WORKERS", "1")
    with connect(alone) as store:
        refresh_features(store)
    features = "SELECT count(*), sum(hash(COLUMNS(* EXCLUDE (computed_at)))) FROM features"
    assert (
        scalar(loaded, "SELECT count(*) FROM features WHERE source = 'hk_companies_registry'")
        == scalar(loaded, "SELECT count(*) FROM records WHERE source = 'hk_companies_registry'")
        == 2_000
    )
    assert _rows(loaded, features) == _rows(alone, features)


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()
