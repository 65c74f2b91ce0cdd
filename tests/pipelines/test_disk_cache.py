"""Tables built once and kept on disk: read back as built, built again when what they come from
changes or their file is damaged, and still given when the cache folder cannot be written."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.disk_cache import cache_folder, cached
from tests.conftest import REPO

TABLE = {"雅": {"elegant": 1.0}, "星": {"star": 0.5, "stars": 0.5}}


class Builder:
    """Builds TABLE and counts how often it did."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, dict[str, float]]:
        self.calls += 1
        return {key: dict(row) for key, row in TABLE.items()}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OAD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_table_is_built_once_then_read_from_the_folder(folder: Path) -> None:
    build = Builder()
    assert cached("glosses", [b"source one"], build) == TABLE
    assert cached("glosses", [b"source one"], build) == TABLE
    assert build.calls == 1
    [kept] = folder.iterdir()
    assert kept.name.startswith("glosses-") and kept.suffix == ".pickle"
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)


def test_another_process_reads_what_one_built(folder: Path) -> None:
    cached("glosses", [b"source one"], Builder())
    never = "def build(): raise SystemExit('built again')\n"
    script = (
        f"{never}from pipelines.disk_cache import cached\n"
        "print(sorted(cached('glosses', [b'source one'], build)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(sorted(TABLE))


def test_a_changed_source_builds_a_new_table(folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "lexicon.tsv"
    data.write_text("雅\telegant\n", encoding="utf-8")
    build = Builder()
    cached("lexicon", [data], build)
    data.write_text("雅\telegant\n星\tstar\n", encoding="utf-8")
    cached("lexicon", [data], build)
    cached("lexicon", [data, b"the reading code changed"], build)
    assert build.calls == 3
    assert len(list(folder.iterdir())) == 3


def test_a_missing_source_is_part_of_the_key(folder: Path, tmp_path: Path) -> None:
    build = Builder()
    cached("lexicon", [tmp_path / "absent.tsv"], build)
    (tmp_path / "absent.tsv").write_bytes(b"")
    cached("lexicon", [tmp_path / "absent.tsv"], build)
    assert build.calls == 2


def test_a_damaged_file_is_built_again_and_replaced(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build = Builder()
    cached("glosses", [b"source"], build)
    [kept] = folder.iterdir()
    kept.write_bytes(kept.read_bytes()[:20])  # cut short, as by a full disk
    with caplog.at_level(logging.WARNING):
        assert cached("glosses", [b"source"], build) == TABLE
    assert build.calls == 2 and "unreadable" in caplog.text
    assert cached("glosses", [b"source"], build) == TABLE and build.calls == 2
    assert [path.name for path in folder.iterdir()] == [kept.name]  # no temporary file left


def test_a_folder_that_cannot_be_written_still_gives_the_table_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("OAD_CACHE_DIR", str(blocked / "cache"))
    build = Builder()
    with caplog.at_level(logging.WARNING):
        assert cached("glosses", [b"source"], build) == TABLE
        assert cached("glosses", [b"source"], build) == TABLE
    assert build.calls == 2
    assert not caplog.records  # every command would say it otherwise


def test_the_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/srv/cache")
    assert cache_folder() == Path("/srv/cache/oad")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_folder() == Path.home() / ".cache" / "oad"


def test_a_file_others_may_write_is_not_read(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build = Builder()
    cached("glosses", [b"source"], build)
    [kept] = folder.iterdir()
    kept.chmod(0o666)
    with caplog.at_level(logging.WARNING):
        assert cached("glosses", [b"source"], build) == TABLE
    assert build.calls == 2 and "others may write it" in caplog.text
    kept.chmod(0o600)
    assert cached("glosses", [b"source"], build) == TABLE and build.calls == 2
