"""The names module's similarity, as DuckDB functions the linkage model's SQL can call."""

from __future__ import annotations

from functools import lru_cache

import duckdb
from duckdb.sqltypes import DOUBLE, VARCHAR

from matching.name_features import names_score, related_score


@lru_cache(maxsize=1 << 20)
def _name_score(kind: str, left: tuple[str, ...], right: tuple[str, ...]) -> float:
    return names_score(kind, list(left), list(right)).score


@lru_cache(maxsize=1 << 18)
def _related_score(left: tuple[str, ...], right: tuple[str, ...]) -> float:
    return related_score(list(left), list(right))


def oad_name_score(kind: str | None, left: list[str] | None, right: list[str] | None) -> float:
    if not left or not right:
        return 0.0
    return _name_score(kind or "unknown", tuple(left), tuple(right))


def oad_related_score(left: list[str] | None, right: list[str] | None) -> float:
    if not left or not right:
        return 0.0
    return _related_score(tuple(left), tuple(right))


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    names = duckdb.list_type(VARCHAR)
    con.create_function(  # type: ignore[call-overload]
        "oad_name_score", oad_name_score, [VARCHAR, names, names], DOUBLE, null_handling="special"
    )
    con.create_function(  # type: ignore[call-overload]
        "oad_related_score", oad_related_score, [names, names], DOUBLE, null_handling="special"
    )
