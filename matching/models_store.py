"""Trained models kept in the store, by version."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from matching.settings import NAME_SCORE, NAME_SCORE_BEFORE_KEYS
from matching.splink_model import TrainedModel


def save_model(con: duckdb.DuckDBPyConnection, model: TrainedModel) -> None:
    con.execute(
        "INSERT INTO models VALUES (?, ?, ?, ?)",
        [
            model.version,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            json.dumps(model.model),
            json.dumps(model.training),
        ],
    )


def latest_model(con: duckdb.DuckDBPyConnection, version: str | None = None) -> TrainedModel | None:
    where, params = ("WHERE version = ?", [version]) if version else ("", [])
    rows = con.execute(
        f"SELECT version, settings, training FROM models {where} ORDER BY created_at DESC LIMIT 1",
        params,
    ).fetchall()
    if not rows:
        return None
    version_found, settings, training = rows[0]
    # a model saved before the names keys scores its names by the keyed function, the same score
    settings = settings.replace(NAME_SCORE_BEFORE_KEYS, NAME_SCORE)
    return TrainedModel(str(version_found), json.loads(settings), json.loads(training or "{}"))
