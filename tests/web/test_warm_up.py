"""Search's name tables load, and the tables pages keep in memory are made, as the workbench
starts, so that the first search and the first queue page are as quick as any."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# in a fresh interpreter (this one's tables may be loaded already): start the app, wait for
# its warm-up, and say whether the tables the first search would load are loaded
_STARTED = """
import sys, threading, time
from starlette.testclient import TestClient
from matching.names.dictionary import glosses
from matching.names.lexicon import load_lexicon
from matching.review_priorities import PRIORITIES
from matching.search import SEARCH_NAMES
from web.app import create_app
app = create_app(sys.argv[1])
with TestClient(app):
    assert app.state.tables_kept.wait(120), "the tables' warm-up did not finish"
    deadline = time.monotonic() + 120
    while any(t.name == "search warm-up" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the warm-up did not finish"
        time.sleep(0.1)
print(load_lexicon.cache_info().currsize, glosses.cache_info().currsize,
      int(PRIORITIES.kept is not None), int(SEARCH_NAMES.kept is not None))
"""


def test_the_server_loads_name_tables_and_keeps_its_tables_as_it_starts(
    workbench_store: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _STARTED, str(workbench_store)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "1", "1", "1"]
