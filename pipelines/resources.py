"""The project's data files (column specs, word lists, lexicons, vocabularies) as package data.

They live in the `data` package and are read through importlib.resources, so that oad installed
from a wheel finds them exactly as a clone does.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml


def data_file(*parts: str) -> Traversable:
    """A file (or folder) under data/: data_file("names", "surnames.tsv") or
    data_file("names/surnames.tsv")."""
    found = resources.files("data")
    for part in "/".join(parts).split("/"):
        found = found.joinpath(part)
    return found


def read_yaml(*parts: str) -> Any:
    return yaml.safe_load(data_file(*parts).read_text(encoding="utf-8"))


def fingerprint(*folders: str, salt: str = "") -> hashlib._Hash:
    """A digest of SALT and every file under the FOLDERS of data/, names and contents, in a
    fixed order."""
    digest = hashlib.sha256(salt.encode())
    for folder in folders:
        for name, content in _files(data_file(folder), folder):
            digest.update(name.encode())
            digest.update(content)
    return digest


def _files(node: Traversable, name: str) -> list[tuple[str, bytes]]:
    if node.is_file():
        return [(name, node.read_bytes())]
    found: list[tuple[str, bytes]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name != "__pycache__":
            found += _files(child, f"{name}/{child.name}")
    return found


def read_rows(*parts: str) -> tuple[tuple[str, ...], ...]:
    """The tab-separated rows of a data file, without `#` comment lines and blank lines."""
    rows = []
    with data_file(*parts).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.strip() and not line.startswith("#"):
                rows.append(tuple(field.strip() for field in line.split("\t")))
    return tuple(rows)
