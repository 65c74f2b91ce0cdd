"""What the spiders read at run time is package data, so that a non-editable install crawls."""

from __future__ import annotations

import tomllib
from pathlib import Path

from spiders.metadata import SPIDERS_DIR, metadata_files
from tests.conftest import REPO


def test_metadata_files_are_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["spiders"]
    packaged = {path for pattern in patterns for path in SPIDERS_DIR.glob(pattern)}
    assert metadata_files() and set(metadata_files()) <= packaged
    # nothing else beside the modules is read from the package folder
    data = {p for p in SPIDERS_DIR.iterdir() if p.is_file() and p.suffix not in {".py", ".pyc"}}
    assert data == set(metadata_files()), sorted(Path(p).name for p in data)
