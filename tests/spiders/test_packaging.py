"""What the spiders read at run time is package data, so that a non-editable install crawls."""

from __future__ import annotations

import tomllib

from spiders.metadata import metadata_files
from tests.conftest import REPO

SPIDERS = REPO / "spiders"


def test_metadata_files_are_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["spiders"]
    packaged = {path.name for pattern in patterns for path in SPIDERS.glob(pattern)}
    listed = {path.name for path in metadata_files()}
    assert listed and listed <= packaged
    # nothing else beside the modules is read from the package folder
    data = {p.name for p in SPIDERS.iterdir() if p.is_file() and p.suffix not in {".py", ".pyc"}}
    assert data == listed, sorted(data)
