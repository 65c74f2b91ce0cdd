"""Column specs (data/columns/*.yml) and matching a file's header against them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pipelines.errors import InputFileError
from pipelines.resources import read_yaml


@dataclass(frozen=True)
class ColumnSpec:
    required: tuple[str, ...]
    aliases: dict[str, str]  # folded header -> canonical column
    kinds: dict[str, str]  # folded kind value -> 'company' | 'person'
    # further value tables of the spec (e.g. 'claim_kinds'): name -> folded value -> meaning
    vocabularies: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.aliases.values()))


@dataclass(frozen=True)
class HeaderMap:
    positions: dict[str, int]  # canonical column -> position in the file's header
    unused: tuple[str, ...]  # headers the file has that no column takes


def fold_header(text: str) -> str:
    return re.sub(r"[\s_\-.]+", "", text.replace("\ufeff", "")).casefold()


@cache
def load_spec(name: str) -> ColumnSpec:
    raw = read_yaml("columns", f"{name}.yml")
    aliases: dict[str, str] = {}
    for column, names in raw["columns"].items():
        for alias in [column, *names]:
            aliases[fold_header(str(alias))] = column
    kinds = _vocabulary(raw["kinds"])
    vocabularies = {
        name: _vocabulary(table)
        for name, table in raw.items()
        if name not in ("required", "columns", "kinds")
    }
    return ColumnSpec(tuple(raw["required"]), aliases, kinds, vocabularies)


def _vocabulary(table: dict[str, list[str]]) -> dict[str, str]:
    """{meaning: [spellings]} -> {folded spelling: meaning}."""
    return {fold_header(str(v)): meaning for meaning, values in table.items() for v in values}


def map_header(file: str, header: list[str], spec: ColumnSpec) -> HeaderMap:
    """Which position holds each column; fails naming the file when a required one is missing."""
    positions: dict[str, int] = {}
    unused: list[str] = []
    for index, title in enumerate(header):
        column = spec.aliases.get(fold_header(title or ""))
        if column is None or column in positions:
            unused.append(title)
        else:
            positions[column] = index
    missing = [column for column in spec.required if column not in positions]
    if missing:
        raise InputFileError(
            file,
            f"required column(s) missing: {', '.join(missing)} (header: {', '.join(header)})",
            line=1,
        )
    return HeaderMap(positions, tuple(unused))
