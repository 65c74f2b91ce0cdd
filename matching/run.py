"""One matching run: features, candidate pairs, identifier links, the model, reviews, matches."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from matching import splink_model
from matching.calibration import Calibration, calibrate_companies, shipped_calibration
from matching.candidate_floors import limits_key, save_floors
from matching.candidates import CANDIDATES, NORM_POWER, build_candidates
from matching.engine import DUCKDB, Engine
from matching.features import refresh_features
from matching.limits import DEFAULT_MAX_BLOCK, Limits
from matching.models_store import latest_model, save_model
from matching.name_frequency import adjust_person_names
from matching.pair_scores import candidate_name_scores
from matching.reviews import apply_reviews, review_labels
from matching.timing import timed
from pipelines.processes import bulk_work
from pipelines.progress import QUIET, Progress
from pipelines.runs import finish_run, start_run
from pipelines.shape import record_uid_sql
from pipelines.store import Store, insert_arrow
from pipelines.workbench_backlog import apply_backlog

DEFAULT_THRESHOLD = 0.9


@dataclass
class RunSummary:
    run_id: int
    model_version: str
    trained: bool
    candidate_pairs: int
    keys_skipped: int
    scored_pairs: int
    identifier_links: int
    links: int
    threshold: float
    seconds: dict[str, float] = field(default_factory=dict)
    # a model trained now, against the reviewed pairs (matching/splink_model.check_on_reviews)
    review_check: dict[str, Any] | None = None
    engine: str = "duckdb"


def run_matching(
    store: Store,
    threshold: float = DEFAULT_THRESHOLD,
    retrain: bool = False,
    max_block: int = DEFAULT_MAX_BLOCK,
    incremental: bool = False,
    progress: Progress = QUIET,
    limits: Limits | None = None,
    calibrate: bool = True,
    engine: Engine = DUCKDB,
) -> RunSummary:
    """Match every debtor against live records (or, incrementally, against records whose
    features changed since the last run) and write the matches. LIMITS, when given, replace
    the candidate limits (and MAX_BLOCK). Without CALIBRATE, company pairs keep the linkage
    model's probability (as the calibration is learned from). ENGINE: where features are
    computed and pairs scored (matching/engine.py)."""
    apply_backlog(store)  # decisions investigators took while the store was held
    limits = limits or Limits(max_block=max_block)
    calibration = shipped_calibration() if calibrate else None
    try:
        with bulk_work():
            return _run(
                store, threshold, retrain, limits, incremental, progress, calibration, engine
            )
    finally:
        progress.finish()


def _run(
    store: Store,
    threshold: float,
    retrain: bool,
    limits: Limits,
    incremental: bool,
    progress: Progress,
    calibration: Calibration | None,
    engine: Engine,
) -> RunSummary:
    clock: dict[str, float] = {}
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = store.con
    since = _last_run_start(con) if incremental else None
    with timed(clock, "features"):
        refresh_features(store, progress, engine)
    progress.stage("candidate pairs")
    with timed(clock, "candidates"):
        candidates = build_candidates(con, since=since, limits=limits, engine=engine, clock=clock)
    trained, model = _model(store, retrain, threshold, clock, progress)
    with timed(clock, "predict"):
        scored = _score(con, model.model, progress, engine)
    progress.stage("write matches")
    tick = time.perf_counter()
    with store.transaction():
        params = {"threshold": threshold, "model_version": model.version,
                  "incremental": incremental, "engine": engine.name}  # fmt: skip
        run_id = start_run(con, "match", params, started)
        identified = _write_matches(con, scored, model.version, run_id, incremental, since)
        save_floors(con, limits_key(limits, NORM_POWER), whole=since is None)
        adjust_person_names(con, run_id, model.model)
        calibrate_companies(con, run_id, calibration)
        apply_reviews(con, run_id)
        links = con.execute(
            "SELECT count(*) FROM matches WHERE run_id = ? AND match_probability >= ?",
            [run_id, threshold],
        ).fetchall()[0][0]
        clock["write"] = time.perf_counter() - tick
        summary = RunSummary(
            run_id, model.version, trained, candidates.pairs, candidates.keys_skipped,
            scored.num_rows, identified, int(links), threshold, clock,
            model.training.get("review_check") if trained else None, engine.name,
        )  # fmt: skip
        finish_run(con, run_id, asdict(summary))
        store.audit("match", asdict(summary))
    con.execute(f"DROP TABLE IF EXISTS {CANDIDATES}")
    return summary


def _model(
    store: Store, retrain: bool, threshold: float, clock: dict[str, float], progress: Progress
) -> tuple[bool, splink_model.TrainedModel]:
    """The model to score with: the latest, or one trained now (m from the confirmed pairs,
    then checked against the confirmed and rejected ones at THRESHOLD)."""
    current = None if retrain else latest_model(store.con)
    if current is not None:
        return False, current
    if not _both_sides(store.con):
        return False, NO_MODEL  # nothing to learn from yet, and nothing to score
    progress.stage("train the model")
    with timed(clock, "training"):
        # the feature tables go straight into the model's database, not kept beside it: at
        # five million records they are a gigabyte and more
        splink_con = splink_model.splink_connection(*splink_model.feature_tables(store.con))
        try:
            trained = splink_model.train(splink_con, review_labels(store.con), threshold)
        finally:
            splink_con.close()
        with store.transaction():
            save_model(store.con, trained)
    return True, trained


# the model of a run before there are debtors and records on both sides (a first discovery run
# may crawl before the debtor list is imported): it scores no pair and is not saved
NO_MODEL = splink_model.TrainedModel("none", {"comparisons": []}, {})


def _both_sides(con: duckdb.DuckDBPyConnection) -> bool:
    sides = con.execute("SELECT count(DISTINCT side) FROM features").fetchall()[0][0]
    return int(sides) == 2


def _score(
    con: duckdb.DuckDBPyConnection, model: dict[str, Any], progress: Progress, engine: Engine
) -> pa.Table:
    pairs = con.sql(
        f"SELECT debtor_id, {record_uid_sql('source', 'source_id')} AS record_uid, ranked_score"
        f" FROM {CANDIDATES}"
        " ORDER BY debtor_id"
    ).to_arrow_table()
    if pairs.num_rows == 0:
        return pa.table(
            {"debtor_id": [], "record_uid": [], "match_probability": [], "match_weight": [],
             "name_score": [], "contributions": []}
        )  # fmt: skip
    debtors, records = _features_for(con)
    if engine.on_spark:
        from matching.spark_predict import predict_on_spark
        from matching.spark_session import spark_session

        session = spark_session(engine.spark_master)
        return predict_on_spark(session, model, pairs, debtors, records, progress)
    splink_con = splink_model.splink_connection(debtors, records)
    try:
        # the re-ranking's scores reach the model through the primed name scores
        with candidate_name_scores(con, CANDIDATES):
            pairs = pairs.drop_columns("ranked_score")
            return splink_model.predict(splink_con, model, pairs, progress)
    finally:
        splink_con.close()


def _features_for(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    """Only the debtors and records that appear in a candidate pair go to the model."""
    columns = splink_model.FEATURE_COLUMNS
    debtors = con.sql(
        f"SELECT entity_id AS unique_id, {columns} FROM features f WHERE side = 'debtor'"
        f" AND entity_id IN (SELECT debtor_id FROM {CANDIDATES})"
    ).to_arrow_table()
    records = con.sql(
        f"SELECT {record_uid_sql('source', 'entity_id')} AS unique_id, {columns} FROM features f"
        f" WHERE side = 'record' AND (source, entity_id) IN"
        f" (SELECT (source, source_id) FROM {CANDIDATES})"
    ).to_arrow_table()
    return debtors, records


def _last_run_start(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT max(finished_at) FROM runs WHERE kind = 'match' AND status = 'finished'"
    ).fetchall()
    return str(row[0][0]) if row and row[0][0] is not None else None


def _write_matches(
    con: duckdb.DuckDBPyConnection,
    scored: pa.Table,
    version: str,
    run_id: int,
    incremental: bool,
    since: str | None,
) -> int:
    """Replace the matches in scope with this run's; identifier links are certain."""
    if incremental and since is not None:
        # one statement a side: either side's key alone can be a hash join, both under one
        # OR cannot
        con.execute(
            "DELETE FROM matches WHERE (source, source_id) IN (SELECT (source, entity_id)"
            " FROM features WHERE side = 'record' AND computed_at >= CAST(? AS TIMESTAMP))",
            [since],
        )
        con.execute(
            "DELETE FROM matches WHERE debtor_id IN (SELECT entity_id FROM features"
            " WHERE side = 'debtor' AND computed_at >= CAST(? AS TIMESTAMP))",
            [since],
        )
        # a record or debtor that went has no features left to say it changed
        con.execute(
            "DELETE FROM matches WHERE (source, source_id) NOT IN (SELECT (source, entity_id)"
            " FROM features WHERE side = 'record') OR debtor_id NOT IN"
            " (SELECT entity_id FROM features WHERE side = 'debtor')"
        )
    else:
        con.execute("DELETE FROM matches")
    insert_arrow(
        con,
        "scored_in",
        scored,
        f"""
        INSERT INTO matches
        SELECT c.debtor_id, c.source, c.source_id,
               CASE WHEN c.by_identifier THEN 1.0 ELSE coalesce(s.match_probability, 0) END,
               s.match_weight, s.name_score, s.contributions,
               CASE WHEN c.by_identifier THEN 'identifier: '
                   || array_to_string(list_intersect(d.identifiers, r.identifiers), ', ')
               END,
               ?, ?, current_timestamp
        FROM {CANDIDATES} c
        LEFT JOIN scored_in s ON s.debtor_id = c.debtor_id
             AND s.record_uid = {record_uid_sql("c.source", "c.source_id")}
        -- the identifiers that agreed, looked up for identifier links only
        LEFT JOIN features d ON c.by_identifier AND d.side = 'debtor'
             AND d.entity_id = c.debtor_id
        LEFT JOIN features r ON c.by_identifier AND r.side = 'record'
             AND r.source = c.source AND r.entity_id = c.source_id
        """,
        [version, run_id],
    )
    return int(
        con.execute(f"SELECT count(*) FROM {CANDIDATES} WHERE by_identifier").fetchall()[0][0]
    )
