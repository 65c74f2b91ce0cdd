"""`oad runs list` and `oad runs show`: the run history, a failed run's reason included."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pipelines.runs import finish_run, start_run
from pipelines.store import connect

T0 = dt.datetime(2024, 6, 1, 9, 0, 0)


@pytest.fixture
def run_ids(db_path: Path) -> dict[str, int]:
    """A finished match run, a finished leads run, a failed one and one still running."""
    with connect(db_path) as store:
        con = store.con
        match = start_run(con, "match", {"threshold": 0.9}, T0)
        finish_run(con, match, {"run_id": match, "links": 12, "threshold": 0.9,
                                "seconds": {"predict": 1.5}})  # fmt: skip
        leads = start_run(con, "leads", {"depth": 4, "min_match": 0.5}, T0 + dt.timedelta(hours=1))
        finish_run(con, leads, {"new": 3, "unchanged": 5, "changed": 1, "gone": 0})
        failed = start_run(con, "discovery", {"sources": ["gleif"]}, T0 + dt.timedelta(hours=2))
        con.execute(
            "UPDATE runs SET status = 'failed', finished_at = started_at + INTERVAL 95 SECOND,"
            " stats = ? WHERE run_id = ?",
            [json.dumps({"error": "gleif: the server answered 503\nthree times"}), failed],
        )
        running = start_run(con, "leads", {"depth": 2}, T0 + dt.timedelta(hours=3))
        # the finish time is the clock's: set a known one so the duration is known
        con.execute(
            "UPDATE runs SET finished_at = started_at + INTERVAL 42 SECOND WHERE run_id = ?",
            [leads],
        )
    return {"match": match, "leads": leads, "failed": failed, "running": running}


def test_list_shows_the_newest_first_with_duration_and_summary(
    oad: Callable[..., Result], run_ids: dict[str, int]
) -> None:
    header, *lines = oad("runs", "list").output.splitlines()
    assert header.split()[:3] == ["run", "kind", "status"]
    assert [int(line.split()[0]) for line in lines] == [
        run_ids["running"],
        run_ids["failed"],
        run_ids["leads"],
        run_ids["match"],
    ]
    running, failed, leads, match = lines
    assert "leads" in running and "running" in running and "2024-06-01 12:00:00" in running
    assert "discovery" in failed and "1 min 35 s" in failed
    assert failed.endswith("error: gleif: the server answered 503 three times")
    assert "42.0 s" in leads and leads.endswith("new 3, unchanged 5, changed 1, gone 0")
    assert match.endswith("links 12, threshold 0.9") and "seconds" not in match


def test_list_by_kind_and_limit(oad: Callable[..., Result], run_ids: dict[str, int]) -> None:
    lines = oad("runs", "list", "--kind", "leads", "--limit", "1").output.splitlines()[1:]
    assert len(lines) == 1 and lines[0].split()[0] == str(run_ids["running"])
    assert oad("runs", "list", "--kind", "nothing").output == "no runs yet of kind nothing\n"


def test_show_prints_params_and_stats_as_json_and_why_it_failed(
    oad: Callable[..., Result], run_ids: dict[str, int]
) -> None:
    out = oad("runs", "show", str(run_ids["failed"])).output
    assert out.startswith(f"run {run_ids['failed']}: discovery, failed\n")
    assert "failed because: gleif: the server answered 503\nthree times" in out
    assert 'params: {\n  "sources": [\n    "gleif"\n  ]\n}' in out
    leads = oad("runs", "show", str(run_ids["leads"])).output
    assert "finished: 2024-06-01 10:00:42 UTC (took 42.0 s)" in leads
    assert '"depth": 4' in leads and '  "new": 3,' in leads and "failed" not in leads


def test_show_an_unknown_run_is_a_clear_error(
    oad: Callable[..., Result], run_ids: dict[str, int]
) -> None:
    result = oad("runs", "show", "999", expect_exit=1)
    assert "Error: there is no run 999" in result.output and "Traceback" not in result.output
