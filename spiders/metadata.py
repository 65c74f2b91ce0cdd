"""Each source's metadata file (`spiders/<source>.yml`), validated by a pydantic model."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.shape import SHAPES, TableName


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemRange(Strict):
    """How many items (records, relationships and assets together) a crawl should yield."""

    min: int = Field(ge=0)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> ItemRange:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def holds(self, count: int) -> bool:
        return self.min <= count <= self.max


class Dataset(Strict):
    """One published file or API of a source; a crawl fetches one dataset."""

    description: str
    # production; `--base-url` replaces it (and must be given where there is none)
    base_url: str | None = Field(default=None, pattern=r"^https?://")
    # the publisher's listing (a page or an API under base_url) that names the current files;
    # a crawl reads it first, as a user's browser would, and fetches what it lists
    index: str | None = None
    # files or endpoints under base_url: fetched as they are when there is no index, and the
    # fallback (`-a files=...` names others) when the index cannot be used
    paths: list[str] = Field(default_factory=list)
    format: Literal["csv", "zip-csv", "jsonl", "json-api"]
    encoding: str = "utf-8"  # of text files; "auto" sniffs UTF-8, GB18030 or Latin-1
    snapshot: bool  # the dataset is the whole source: what is missing was removed
    # the tables a snapshot covers, when the dataset is the whole of only some of the source's
    # tables (one file of its records, another of its relationships); default: all of them
    snapshot_tables: list[TableName] | None = None
    # a snapshot marking more than this share of the live rows removed is held, not applied
    removal_guard: float = Field(default=0.1, ge=0, le=1)
    store_source: str | None = None  # the store's source name, when not the spider's
    source_argument: bool = False  # the store's source is named by the spider argument `source`
    params: dict[str, str | int | list[str] | dict[str, str]] = Field(default_factory=dict)
    expected_items: ItemRange  # in production
    fixture_items: ItemRange  # over the recorded responses in tests/spiders/fixtures

    @property
    def entry(self) -> str:
        """What a crawl fetches first: the index, or else the first path."""
        return self.index or self.paths[0]

    @property
    def snapshot_of(self) -> tuple[TableName, ...]:
        """The tables a crawl of the dataset marks missing rows removed in (none: no snapshot)."""
        if not self.snapshot:
            return ()
        return tuple(self.snapshot_tables) if self.snapshot_tables else tuple(SHAPES)

    @model_validator(mode="after")
    def _has_files(self) -> Dataset:
        if not (self.index or self.paths):
            raise ValueError("a dataset needs an index or paths")
        if self.snapshot_tables is not None and not (self.snapshot and self.snapshot_tables):
            raise ValueError("snapshot_tables names the tables of a snapshot: at least one")
        return self


class RateLimit(Strict):
    requests_per_second: float = Field(gt=0)
    concurrent_requests: int = Field(default=1, ge=1)


class SourceMeta(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    publisher: str
    licence: str
    url: str | None = Field(default=None, pattern=r"^https?://")  # the source's home page
    schedule: str  # how often the publisher updates, and so how often to crawl
    rate_limit: RateLimit
    lookups: dict[str, dict[str, str]] = Field(default_factory=dict)  # value look-ups
    datasets: dict[str, Dataset] = Field(min_length=1)

    def dataset(self, name: str | None) -> tuple[str, Dataset]:
        """The named dataset, or the first one listed."""
        chosen = name or next(iter(self.datasets))
        if chosen not in self.datasets:
            known = ", ".join(self.datasets)
            raise ValueError(f"{self.name} has no dataset {chosen!r} (datasets: {known})")
        return chosen, self.datasets[chosen]

    def store_source(self, dataset: str, arguments: Mapping[str, str] | None = None) -> str:
        """The store's source a crawl of DATASET writes to (given its spider ARGUMENTS)."""
        chosen = self.datasets[dataset]
        if chosen.source_argument:
            name = (arguments or {}).get("source", "")
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(
                    f"{self.name} writes to the source named by -a source=NAME (lower case,"
                    f" digits and _), got {name!r}"
                )
            return name
        return chosen.store_source or self.name


def metadata_files() -> list[Traversable]:
    """The metadata files, package data of `spiders`, by name."""
    found = resources.files("spiders").iterdir()
    return sorted((f for f in found if f.name.endswith(".yml")), key=lambda f: f.name)


def source_names() -> list[str]:
    """Every source oad has a spider for."""
    return [path.name.removesuffix(".yml") for path in metadata_files()]


@cache
def load_meta(name: str) -> SourceMeta:
    path = resources.files("spiders").joinpath(f"{name}.yml")
    if not path.is_file():
        known = ", ".join(source_names())
        raise ValueError(f"no source {name!r} (sources: {known})")
    meta = SourceMeta.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    if meta.name != name:
        raise ValueError(f"spiders/{name}.yml: name {meta.name!r} does not match the file name")
    return meta
