"""Staged files: written in the background, complete whenever they are listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.crawl_items import Removal
from pipelines.crawl_staging import Staging


def test_listed_files_are_complete_and_in_order(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    for number in range(20):
        staging.write_removals([Removal("records", f"{number}-{i}") for i in range(5_000)])
    files = staging.files("removed")
    assert len(files) == 20 and not list(tmp_path.glob("*.tmp"))
    keys = [pq.read_table(f).column("key")[0].as_py() for f in files]
    assert keys == [f"{n}-0" for n in range(20)]
    staging.close()


def test_a_file_that_cannot_be_written_fails_the_wait(tmp_path: Path) -> None:
    directory = tmp_path / "staging"
    directory.mkdir()
    staging = Staging(directory)
    shutil.rmtree(directory)
    staging.write_removals([Removal("records", "1")])
    with pytest.raises(OSError):
        staging.wait()
    staging.close()
