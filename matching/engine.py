"""Where matching's heavy steps run: in the store's own process (DuckDB, the default) or on a
Spark cluster (`spark`), with the same settings, features and model.

On Spark, feature computation runs as Spark jobs over the same pure name functions, and the
linkage model scores the candidate pairs through Splink's Spark backend. Training stays on the
store: u comes from 100,000 random pairs and EM from person-name blocks, both small at any
scale, and one trained model (saved by version) then scores alike on either engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")
ENGINE_ENV = "OAD_ENGINE"
MASTER_ENV = "OAD_SPARK_MASTER"
LOCAL_MASTER = "local[2]"


@dataclass(frozen=True)
class Engine:
    name: EngineName = "duckdb"
    spark_master: str = LOCAL_MASTER  # a cluster URL (spark://host:7077, yarn, k8s://...)

    @property
    def on_spark(self) -> bool:
        return self.name == "spark"


def engine_from(name: str | None = None, master: str | None = None) -> Engine:
    """The engine named (else OAD_ENGINE, else DuckDB), on MASTER (else OAD_SPARK_MASTER, else
    two local cores)."""
    chosen = name or os.environ.get(ENGINE_ENV) or "duckdb"
    if chosen not in ENGINES:
        raise ValueError(f"unknown matching engine {chosen!r}: one of {', '.join(ENGINES)}")
    found = master or os.environ.get(MASTER_ENV) or LOCAL_MASTER
    return Engine(chosen, found)


DUCKDB = Engine()
