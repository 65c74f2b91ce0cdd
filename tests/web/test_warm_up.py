"""Search's name tables load as the workbench starts, so the first search is as quick as any."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from starlette.testclient import TestClient

from matching.names.dictionary import glosses
from matching.names.lexicon import load_lexicon
from web.app import create_app


def test_the_server_loads_the_name_tables_as_it_starts(workbench_store: Path) -> None:
    load_lexicon.cache_clear()
    glosses.cache_clear()
    with TestClient(create_app(workbench_store)):  # runs the app's start-up
        deadline = time.monotonic() + 120
        while any(t.name == "search warm-up" for t in threading.enumerate()):
            assert time.monotonic() < deadline, "the warm-up did not finish"
            time.sleep(0.1)
    assert load_lexicon.cache_info().currsize == 1
    assert glosses.cache_info().currsize == 1
