"""The Splink model that links one company across sources by its Latin name, within a
jurisdiction: declared here, parameters from data/entities/name_model.yml, trained by EM only
when there are enough candidate pairs, run on an in-memory DuckDB of its own (Splink leaves
working tables behind; they stay out of the store).

Candidate pairs are chosen by the caller (same jurisdiction, a shared name word, different
sources) and handed over as they are; Splink scores exactly those.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
from splink import DuckDBAPI, Linker, SettingsCreator
from splink.comparison_library import CustomComparison
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from matching.model_levels import level_labels
from pipelines.resources import read_yaml
from pipelines.store import insert_arrow

PARAMETERS_FILE = "entities/name_model.yml"  # under data/
# EM needs many pairs of each kind to move m away from its start; below this many candidate
# pairs the fixed parameters say more than training would (and Splink may fail outright).
MIN_EM_PAIRS = 1000
UNIQUE_ID = "unique_id"
# Blocks for EM: a jurisdiction and a first name word; the name comparison is still informative
# inside them, since most such pairs differ in their later words.
EM_BLOCKING = "l.jurisdiction = r.jurisdiction AND l.first_word = r.first_word"
KEY_SEPARATOR = "-__-"  # Splink's join key: source dataset, separator, unique id

_LEVELS: dict[str, list[tuple[str, str, str]]] = {
    # comparison -> (level name in the parameters file, SQL condition, label), best first
    "name": [
        ("exact", "name_key_l = name_key_r", "same name words"),
        ("close", "jaro_winkler_similarity(name_key_l, name_key_r) >= 0.92", "names close"),
        (
            "overlap",
            "len(list_intersect(name_words_l, name_words_r))"
            " >= 0.6 * greatest(len(name_words_l), len(name_words_r))",
            "most name words shared",
        ),
    ],
    "legal_form": [("exact", "legal_form_l = legal_form_r", "same legal form")],
    "incorporation_year": [
        ("exact", "incorporation_year_l = incorporation_year_r", "same incorporation year")
    ],
}
_NULL_CONDITIONS = {
    "name": "name_key_l IS NULL OR name_key_r IS NULL",
    "legal_form": "legal_form_l IS NULL OR legal_form_r IS NULL",
    "incorporation_year": "incorporation_year_l IS NULL OR incorporation_year_r IS NULL",
}


@dataclass(frozen=True)
class NameModel:
    version: str  # 'entities-name-fixed-…' or 'entities-name-em-…': which parameters were used
    model: dict[str, Any]  # Splink's model JSON
    training: dict[str, Any]


@cache
def parameters() -> dict[str, Any]:
    loaded: dict[str, Any] = read_yaml(PARAMETERS_FILE)
    for comparison, levels in _LEVELS.items():
        expected = [name for name, _, _ in levels] + ["else"]
        if list(loaded["comparisons"][comparison]) != expected:
            raise ValueError(f"data/{PARAMETERS_FILE}: {comparison} levels {expected} expected")
    return loaded


def _comparison(name: str) -> CustomComparison:
    given = parameters()["comparisons"][name]
    levels: list[ComparisonLevelCreator] = [
        cll.CustomLevel(sql, label) for _, sql, label in _LEVELS[name]
    ]
    levels.append(cll.ElseLevel())
    for level, (m_u) in zip(levels, given.values(), strict=True):
        level.configure(m_probability=m_u["m"], u_probability=m_u["u"])
    null = cll.CustomLevel(_NULL_CONDITIONS[name]).configure(is_null_level=True)
    return CustomComparison(
        output_column_name=name, comparison_levels=[null, *levels], comparison_description=name
    )


def fixed_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name=UNIQUE_ID,
        probability_two_random_records_match=float(parameters()["prior"]),
        comparisons=[_comparison(name) for name in _LEVELS],
        retain_intermediate_calculation_columns=True,
    )


def splink_connection(candidates: pa.Table) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one table of candidates per source (Splink links across
    tables, never within one)."""
    con = duckdb.connect()
    insert_arrow(con, "candidates_in", candidates, "CREATE TABLE candidates AS FROM candidates_in")
    return con


def _sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("SELECT DISTINCT source FROM candidates ORDER BY 1").fetchall()
    ]


def _linker(con: duckdb.DuckDBPyConnection, model: Any) -> Linker:
    api = DuckDBAPI(connection=con)
    tables = []
    for number, source in enumerate(_sources(con)):
        table = f"candidates_{number}"
        con.execute(
            f"CREATE OR REPLACE TABLE {table} AS FROM candidates WHERE source = ?", [source]
        )
        tables.append(api.register(table, dataset_display_name=source))
    # ERROR only: "level not observed, unable to train m" is expected on small data
    return Linker(tables, model, log_level=logging.ERROR)


def fit(con: duckdb.DuckDBPyConnection, candidate_pairs: int) -> NameModel:
    """The fixed parameters, or, with at least MIN_EM_PAIRS candidate pairs, m by EM from them
    (u and the prior held). EM that fails leaves the fixed parameters, and says why."""
    base = _linker(con, fixed_settings()).misc.save_model_to_json()
    training: dict[str, Any] = {"candidate_pairs": candidate_pairs, "parameters": "fixed"}
    model = base
    if candidate_pairs >= MIN_EM_PAIRS:
        try:
            linker = _linker(con, base)
            linker.training.estimate_parameters_using_expectation_maximisation(
                EM_BLOCKING, fix_u_probabilities=True, fix_probability_two_random_records_match=True
            )
            model, training["parameters"] = linker.misc.save_model_to_json(), "em"
        except Exception as error:  # Splink raises bare Exceptions: the fixed ones stay
            training["em_failed"] = f"{type(error).__name__}: {error}"
    else:
        training["why_fixed"] = f"fewer than {MIN_EM_PAIRS} candidate pairs"
    return NameModel(f"entities-name-{training['parameters']}-{_digest(model)}", model, training)


def _digest(model: dict[str, Any]) -> str:
    """Of the model's content: Splink's per-linker id left out, so equal models hash alike."""
    content = {key: value for key, value in model.items() if key != "linker_uid"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:8]


def score(con: duckdb.DuckDBPyConnection, model: NameModel, pairs: pa.Table) -> pa.Table:
    """Score exactly PAIRS (source_l, id_l, source_r, id_r): one row per pair with
    match_probability, match_weight and each comparison's level label and bits."""
    insert_arrow(
        con,
        "pairs_in",
        pairs,
        f"CREATE OR REPLACE TABLE entity_blocked_pairs AS SELECT '0' AS match_key,"
        f" source_l || '{KEY_SEPARATOR}' || id_l AS join_key_l,"
        f" source_r || '{KEY_SEPARATOR}' || id_r AS join_key_r FROM pairs_in",
    )
    linker = _linker(con, model.model)
    api = DuckDBAPI(connection=con)
    linker.table_management.register_blocked_pairs_for_predict(api.register("entity_blocked_pairs"))
    scored = linker.inference.predict(warning_mode="never")
    labels = level_labels(model.model)
    parts = ", ".join(
        f"'{name}', {{'level': {_label_case(name, labels[name])}, 'bits': round(mw_{name}, 3)}}"
        for name in labels
    )
    result = con.sql(
        f"SELECT source_dataset_l AS source_l, unique_id_l AS id_l,"
        f" source_dataset_r AS source_r, unique_id_r AS id_r, match_probability, match_weight,"
        f" json_object({parts}) AS comparisons FROM {scored.physical_name}"
    ).to_arrow_table()
    scored.drop_table_from_database_and_remove_from_cache()
    return result


def _label_case(name: str, labels: dict[int, str]) -> str:
    """SQL turning gamma_NAME into its label; the labels are this module's own constants."""
    whens = " ".join(f"WHEN {gamma} THEN '{label}'" for gamma, label in labels.items())
    return f"CASE gamma_{name} {whens} END"
