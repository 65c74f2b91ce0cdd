"""The discovery run's configuration: one TOML file (`oad.toml`) saying what to crawl, where vendor
files are dropped, the thresholds, the schedule and where the digest goes. Checked whole when it
is read, so a bad file fails at start, naming the key and the reason. Relative paths are read
from the file's own folder."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipelines.errors import OadError

CONFIG_ENV = "OAD_CONFIG"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceCrawl(_Strict):
    """One source's dataset to crawl on each run."""

    source: str
    dataset: str | None = None  # the source's first dataset when not given
    base_url: str | None = None  # fetch from here instead of the production URL
    args: dict[str, str] = Field(default_factory=dict)  # spider arguments
    settings: dict[str, str] = Field(default_factory=dict)  # Scrapy settings
    accept_removals: bool = False

    @field_validator("source")
    @classmethod
    def _known_source(cls, source: str) -> str:
        from spiders.metadata import source_names

        known = source_names()
        if source not in known:
            raise ValueError(f"no spider {source!r}; known: {', '.join(sorted(known))}")
        return source

    @field_validator("base_url")
    @classmethod
    def _http(cls, url: str | None) -> str | None:
        return _http_url(url)

    @model_validator(mode="after")
    def _known_dataset(self) -> SourceCrawl:
        from spiders.metadata import load_meta

        datasets = load_meta(self.source).datasets
        if self.dataset is not None and self.dataset not in datasets:
            raise ValueError(
                f"{self.source} has no dataset {self.dataset!r}; it has {', '.join(datasets)}"
            )
        return self


# the crawl flow's deployment in a work pool, unless configured otherwise
CRAWL_DEPLOYMENT = "oad-crawl"


class CrawlConfig(_Strict):
    sources: list[SourceCrawl] = Field(default_factory=list)
    serve: Path | None = None  # serve recorded responses from this folder (demo, tests)
    concurrency: int = Field(default=3, ge=1, le=16)  # sources crawled at once
    retries: int = Field(default=2, ge=0, le=10)  # a crawl that failed is tried again
    retry_delay: float = Field(default=30.0, ge=0)  # seconds before the first retry, doubling
    # a Prefect work pool: each crawl runs as a flow of the crawl deployment on a free worker
    pool: str | None = None
    deployment: str = CRAWL_DEPLOYMENT  # the crawl deployment's name (`oad pool deploy`)


class ImportConfig(_Strict):
    folder: Path | None = None  # vendor files: <folder>/debtors/*, <folder>/<source>/*


class MatchConfig(_Strict):
    threshold: float = Field(default=0.9, ge=0, le=1)
    engine: Literal["duckdb", "spark"] = "duckdb"  # where features and scoring run
    spark_master: str = "local[2]"  # with engine "spark": a cluster URL, e.g. spark://host:7077


class LeadsConfig(_Strict):
    depth: int = Field(default=4, ge=1, le=8)
    min_match: float = Field(default=0.5, ge=0, le=1)


class DigestConfig(_Strict):
    folder: Path = Path("digests")
    min_confidence: float = Field(default=0.3, ge=0, le=1)
    webhook: str | None = None  # the digest is POSTed here as JSON
    webhook_attempts: int = Field(default=3, ge=1, le=10)

    @field_validator("webhook")
    @classmethod
    def _http(cls, url: str | None) -> str | None:
        return _http_url(url)


class ScheduleConfig(_Strict):
    cron: str | None = None
    interval: float | None = Field(default=None, gt=0)  # seconds


class AssessConfig(_Strict):
    rates: Path | None = None  # exchange rates for `oad assess` (YAML: base, rates)


class DiscoveryConfig(_Strict):
    store: Path | None = None  # the DuckDB store (`oad --db` / OAD_DB when not given)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    imports: ImportConfig = Field(default_factory=ImportConfig)
    match: MatchConfig = Field(default_factory=MatchConfig)
    leads: LeadsConfig = Field(default_factory=LeadsConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    assess: AssessConfig = Field(default_factory=AssessConfig)


def _http_url(url: str | None) -> str | None:
    if url is not None and not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def load_config(path: str | os.PathLike[str] | None = None) -> DiscoveryConfig:
    """The configuration in PATH (else OAD_CONFIG, else ./oad.toml), paths made absolute."""
    found = Path(path or os.environ.get(CONFIG_ENV) or "oad.toml")
    try:
        data = tomllib.loads(found.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OadError(f"{found}: no configuration file here (give one with --config)") from None
    except tomllib.TOMLDecodeError as error:
        raise OadError(f"{found}: not valid TOML: {error}") from None
    try:
        config = DiscoveryConfig.model_validate(data)
    except ValidationError as error:
        raise OadError(f"{found}: {_first_problem(error)}") from None
    config = _anchored(config, found.resolve().parent)
    if config.crawl.serve is not None and not config.crawl.serve.is_dir():
        raise OadError(f"{found}: crawl.serve: no folder {config.crawl.serve}")
    for key, folder in (
        ("imports.folder", config.imports.folder),
        ("digest.folder", config.digest.folder),
    ):
        if folder is not None and folder.exists() and not folder.is_dir():
            raise OadError(f"{found}: {key}: {folder} is not a folder")
    return config


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    key = ".".join(str(part) for part in problem["loc"])
    reason = str(problem["msg"]).removeprefix("Value error, ")
    return f"{key}: {reason}"


def _anchored(config: DiscoveryConfig, base: Path) -> DiscoveryConfig:
    """Relative paths read from the configuration file's folder, not the current one."""

    def anchor(value: Path | None) -> Path | None:
        return None if value is None else (base / value).resolve()

    changes: dict[str, Any] = {
        "store": anchor(config.store),
        "crawl": config.crawl.model_copy(update={"serve": anchor(config.crawl.serve)}),
        "imports": config.imports.model_copy(update={"folder": anchor(config.imports.folder)}),
        "digest": config.digest.model_copy(update={"folder": anchor(config.digest.folder)}),
        "assess": config.assess.model_copy(update={"rates": anchor(config.assess.rates)}),
    }
    return config.model_copy(update=changes)
