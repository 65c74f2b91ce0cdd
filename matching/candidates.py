"""Candidate pairs: for each debtor, the records that share its rarest, likeliest name keys, plus
every record that shares a proving identifier.

Like a search engine: a debtor's keys (English words its Chinese name implies, romanised full
names) are weighted by how strongly they speak for the name and by how rare they are among
records (idf); a record scores by the summed weight of the keys it shares with the debtor (a
little less for a long name), and the `wide` best-scoring records go on to a second, finer look.
For a debtor with more than `per_debtor` of them, the translation model (both directions, over
every name of each side) re-ranks them, and the `per_debtor` best become candidates: keys alone
cannot tell which of many "... KNITTING FACTORY LIMITED" records a Chinese knitting factory's
name explains best.

What bounds the work at scale: a key shared by more than `max_block` records says too little to
block on and is skipped; a debtor's keys are taken strongest first until the records they reach
pass `budget` (a Chinese company name implies dozens of English words, and its weakest common
ones would pair it with thousands of records for little score); debtors and records are numbered
and the key join (a sparse product, `key_join.py`) runs a slice of debtors at a time, so memory
stays flat as the data grows.
Incrementally, only pairs with a side whose features changed since the last run are formed: new
and changed records against every debtor, admitted only at or above where the debtor's cuts
ended in the last run that paired it whole (`candidate_floors.py`), and new debtors against every
record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from matching.candidate_floors import find_floors, limits_key, load_floors
from matching.dense_candidates import DENSE, dense_pairs
from matching.engine import DUCKDB, Engine
from matching.key_join import key_pairs as key_join_pairs
from matching.key_join import pairs_table
from matching.limits import Limits
from matching.names.translation_vectorised import LatinTable, translation_scores
from matching.timing import timed
from pipelines.processes import with_forks, worker_count
from pipelines.store import insert_arrow, memory_released

CANDIDATES = "candidate_pairs"
# A record's key score is divided by its keys' total idf to this power: a little, so that a
# record mostly explained by the debtor goes first, but not so much that a short record made of
# two common words the debtor implies beats a longer true name with a brand word it does not
NORM_POWER = 0.25
# what the key join is made from, and the work tables left at the end
_KEY_TABLES = ("record_keys", "debtor_keys", "key_frequency", "record_terms", "debtor_terms")
_WORK_TABLES = ("cand_records", "cand_debtors", "debtor_floor", "key_pairs", "reranked",
                "record_ids", "debtor_ids", "stored_floor", "key_cut", DENSE)  # fmt: skip


@dataclass(frozen=True)
class CandidateCounts:
    pairs: int
    keys_skipped: int


def build_candidates(
    con: duckdb.DuckDBPyConnection,
    since: str | None = None,
    limits: Limits | None = None,
    engine: Engine = DUCKDB,
    clock: dict[str, float] | None = None,
) -> CandidateCounts:
    """Create the temp table candidate_pairs(debtor_id, source, source_id, by_identifier,
    ranked_score: a re-ranked company pair's translation score, else NULL), and
    found_floor with the floors of the debtors paired with every record (to be saved with the
    run's matches by `candidate_floors.save_floors`). CLOCK, when given, gets each step's
    seconds (`candidates_keys`, `_dense`, `_rerank`, `_rest`)."""
    limits = limits or Limits()
    with timed(clock, "candidates_keys"):
        _number(con, since)
        load_floors(con, since, limits_key(limits, NORM_POWER))
        skipped = _terms(con, limits)
        _key_pairs(con, since, limits, engine)
        for table in _KEY_TABLES:  # their memory goes to the encoder's search
            con.execute(f"DROP TABLE {table}")
    # the record names' units and vectors, worked out once for the run (and freed after it)
    latin = LatinTable()
    with timed(clock, "candidates_dense"):
        _add_dense_pairs(con, since, limits.dense, latin, engine)
    with timed(clock, "candidates_rerank"):
        _rerank(con, limits.per_debtor, latin, engine)
    with timed(clock, "candidates_rest"):
        _candidate_table(con, since, limits)
    pairs = con.execute(f"SELECT count(*) FROM {CANDIDATES}").fetchall()[0][0]
    return CandidateCounts(int(pairs), skipped)


def _candidate_table(con: duckdb.DuckDBPyConnection, since: str | None, limits: Limits) -> None:
    """The floors found, then CANDIDATES from the re-ranked pairs and the identifier links;
    the work tables dropped."""
    find_floors(con, since, max(limits.wide, limits.per_debtor), limits.dense)
    # a run pairs what changed (a full run: everything) with everything, as the key join does
    by_identifier = (
        "SELECT d.debtor_id, r.source, r.source_id"
        " FROM debtor_ids d JOIN record_ids r USING (identifier) WHERE d.fresh OR r.fresh"
    )
    # a company pair's re-ranking value is its name score (the same translation model), kept
    # so that the model's name scores need not be worked out again
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {CANDIDATES} AS
        SELECT debtor_id, source, source_id, bool_or(identified) AS by_identifier,
               max(ranked_score) AS ranked_score
        FROM (SELECT d.debtor_id, r.source, r.source_id, false AS identified,
                     CASE WHEN d.kind = 'company' THEN k.value END AS ranked_score
              FROM reranked k JOIN cand_debtors d USING (did) JOIN cand_records r USING (rid)
              UNION ALL SELECT *, true, NULL FROM ({by_identifier}))
        GROUP BY debtor_id, source, source_id
        """
    )
    for table in _WORK_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _number(con: duckdb.DuckDBPyConnection, since: str | None) -> None:
    """Debtors and records numbered (records in (source, source_id) order, so that the number
    breaks ties as the ids would), with whether each is fresh; their keys and identifiers."""
    fresh = "coalesce(computed_at >= CAST($since AS TIMESTAMP), true)"
    params = {"since": since}
    for side, number, columns, lists in (
        ("record", "rid", "source, entity_id AS source_id", "block_keys"),
        ("debtor", "did", "entity_id AS debtor_id", "block_keys, block_weights"),
    ):
        numbered = (
            f"SELECT CAST(row_number() OVER (ORDER BY source, entity_id) AS INTEGER) AS {number},"
            f" {columns}, kind, {fresh} AS fresh, birth_year, birth_month, {lists}"
            f" FROM features WHERE side = '{side}'"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE cand_{side}s AS SELECT * EXCLUDE ({lists})"
            f" FROM ({numbered})",
            params,
        )
        weights = ", unnest(block_weights) AS weight" if side == "debtor" else ""
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {side}_keys AS SELECT {number},"
            f" unnest(block_keys) AS key{weights} FROM ({numbered})",
            params,
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {side}_ids AS SELECT {columns}, {fresh} AS fresh,"
            f" unnest(identifiers) AS identifier FROM features WHERE side = '{side}'",
            params,
        )


def _terms(con: duckdb.DuckDBPyConnection, limits: Limits) -> int:
    """Keys numbered with their idf; the keys of each record that are rare enough to block on;
    each debtor's strongest such keys within the budget. Returns how many keys were too common
    to block on."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE key_frequency AS"
        " SELECT key, CAST(row_number() OVER (ORDER BY key) AS INTEGER) AS key_id, records,"
        " ln((n.total + 1) / (records + 1)) + 0.1 AS idf"
        " FROM (SELECT key, count(*) AS records FROM record_keys GROUP BY key),"
        " (SELECT count(*) AS total FROM cand_records) n"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE record_terms AS SELECT * FROM ("
        " SELECT k.rid, f.key_id, f.records, r.kind, r.fresh,"
        " pow(sum(f.idf) OVER (PARTITION BY k.rid), -$power) AS shrink"
        " FROM record_keys k JOIN key_frequency f USING (key) JOIN cand_records r USING (rid))"
        " WHERE records <= $max_block",
        {"max_block": limits.max_block, "power": NORM_POWER},
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE debtor_terms AS
        SELECT did, key_id, kind, fresh, strength, records FROM (
            SELECT d.did, f.key_id, c.kind, c.fresh, d.weight * f.idf AS strength, f.records,
                   coalesce(sum(f.records) OVER (PARTITION BY d.did
                       ORDER BY d.weight * f.idf DESC, f.key_id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS reached
            FROM debtor_keys d JOIN key_frequency f USING (key) JOIN cand_debtors c USING (did)
            WHERE f.records <= $max_block)
        WHERE reached < $budget
        """,
        {"max_block": limits.max_block, "budget": limits.budget},
    )
    found = con.execute(
        "SELECT count(*) FROM key_frequency WHERE records > ?", [limits.max_block]
    ).fetchall()
    return int(found[0][0])


def _key_pairs(
    con: duckdb.DuckDBPyConnection, since: str | None, limits: Limits, engine: Engine
) -> None:
    """key_pairs(did, rid, score, kind): each debtor's `wide` best records by key score at or
    above its floor, as a sparse product a slice of debtors at a time (matching/key_join.py;
    on Spark, in one job: matching/spark_key_pairs.py, where an incremental run's few pairs
    stay on this machine)."""
    wide = max(limits.wide, limits.per_debtor)
    _floors(con, wide)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE key_pairs"
        " (did INTEGER, rid INTEGER, score DOUBLE, kind VARCHAR)"
    )
    if engine.on_spark and since is None:
        from matching.spark_key_pairs import spark_key_pairs
        from matching.spark_session import spark_session

        spark_key_pairs(con, spark_session(engine.spark_master), wide, "key_pairs")
        return
    key_join_pairs(con, list(_slices(con, limits.slice_rows)), wide, "key_pairs")


def _add_dense_pairs(
    con: duckdb.DuckDBPyConnection,
    since: str | None,
    dense: int,
    table: LatinTable,
    engine: Engine,
) -> None:
    """The encoder's nearest records join each company debtor's key pairs (with key score 0
    where keys did not reach them), after key_cut keeps where the key cut itself ended."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE key_cut AS"
        " SELECT did, count(*) AS pairs, min(score) AS lowest FROM key_pairs GROUP BY did"
    )
    # on Spark the re-ranking's executors work out the vectors they need themselves
    dense_pairs(con, since, dense, None if engine.on_spark else table, engine)
    con.execute(
        f"INSERT INTO key_pairs SELECT n.did, n.rid, 0.0, 'company' FROM {DENSE} n"
        " ANTI JOIN key_pairs k ON k.did = n.did AND k.rid = n.rid"
    )


def _floors(con: duckdb.DuckDBPyConnection, wide: int) -> None:
    """debtor_floor(did, kind, floor): every record a key reaches scores at least that key's
    strength times the smallest record shrink, so once a debtor's strongest keys reach about
    twice `wide` records (allowing for records reached twice), the weakest of those keys gives a
    score its `wide` best all reach. A debtor with a stored floor takes the higher of the two."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE debtor_floor AS
        SELECT c.did, c.kind,
               greatest(coalesce(f.floor * s.shrink, 0), coalesce(t.key_floor, 0)) AS floor
        FROM cand_debtors c LEFT JOIN stored_floor t USING (did) LEFT JOIN (
            SELECT did, max(strength) FILTER (WHERE reached >= $enough) AS floor
            FROM (SELECT did, strength, sum(records) OVER (PARTITION BY did
                      ORDER BY strength DESC, key_id) AS reached FROM debtor_terms)
            GROUP BY did) f USING (did),
            (SELECT min(shrink) AS shrink FROM record_terms) s
        """,
        {"enough": 2 * wide},
    )


def _slices(con: duckdb.DuckDBPyConnection, rows: int) -> Iterator[tuple[int, int]]:
    """Ranges of debtor numbers whose keys reach about `rows` records together."""
    yield from con.execute(
        "SELECT min(did), max(did) FROM (SELECT did,"
        " sum(sum(records)) OVER (ORDER BY did) // $rows AS slice"
        " FROM debtor_terms GROUP BY did) GROUP BY slice ORDER BY slice",
        {"rows": max(rows, 1)},
    ).fetchall()


def _rerank(
    con: duckdb.DuckDBPyConnection, per_debtor: int, table: LatinTable, engine: Engine
) -> None:
    """reranked(did, rid, value): each debtor's `per_debtor` best key pairs. Where there are
    more, or the debtor has a stored floor for this cut, a company debtor's are ordered by the
    translation model, and a person's by key score plus how well the birth dates agree (a
    common name has many namesakes abroad; the one born that month goes first); `value` is what
    they were ordered by (NULL where they were not). With a stored floor, those at or above
    it, and the best `lost` below it (`candidate_floors.load_floors`)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE key_pairs AS SELECT k.*, s.rank_floor, s.lost,"
        " count(*) OVER (PARTITION BY k.did) AS pairs,"
        " pairs > $per_debtor OR s.rank_floor IS NOT NULL AS ranked"
        " FROM key_pairs k LEFT JOIN stored_floor s USING (did)",
        {"per_debtor": per_debtor},
    )
    insert_arrow(
        con,
        "company_best",
        _company_best(con, per_debtor, table, engine),
        f"""
        CREATE OR REPLACE TEMP TABLE reranked AS
        SELECT did, rid, value FROM company_best
        UNION ALL
        SELECT did, rid, value FROM (
            SELECT *, row_number() OVER (PARTITION BY did, value >= rank_floor
                ORDER BY value DESC, score DESC, rid) AS place FROM (
                SELECT k.did, k.rid, k.score, k.rank_floor, k.lost,
                       k.score + {_BIRTH_AGREEMENT} AS value
                FROM key_pairs k JOIN cand_debtors d USING (did) JOIN cand_records r USING (rid)
                WHERE k.ranked AND k.kind <> 'company'))
        WHERE rank_floor IS NULL OR value >= rank_floor OR place <= lost
        QUALIFY row_number() OVER (PARTITION BY did ORDER BY value DESC, score DESC, rid)
            <= $per_debtor
        UNION ALL
        SELECT did, rid, NULL FROM key_pairs WHERE NOT ranked
        """,
        {"per_debtor": per_debtor},
    )


def _company_best(
    con: duckdb.DuckDBPyConnection, per_debtor: int, table: LatinTable, engine: Engine
) -> pa.Table:
    """For each company debtor whose key pairs are re-ranked, the `per_debtor` its names'
    translation scores put first (`debtor_best`), with their scores; one debtor and all its
    candidates at a time (on Spark, grouped by debtor: matching/spark_rerank.py)."""
    if engine.on_spark:
        from matching.spark_rerank import spark_company_best
        from matching.spark_session import spark_session

        session = spark_session(engine.spark_master)
        return spark_company_best(con, session, per_debtor, _RANKED_COMPANY)
    pairs = con.execute(
        f"SELECT did, rid, score FROM key_pairs k WHERE {_RANKED_COMPANY} ORDER BY did"
    ).fetchnumpy()
    found, debtors = np.asarray(pairs["did"]), _ranked_debtors(con)
    numbers = np.array([did for did, *_ in debtors], dtype=found.dtype)
    global _RANKING
    _RANKING = _Ranking(
        debtors, np.searchsorted(found, numbers), np.searchsorted(found, numbers, "right"),
        np.asarray(pairs["rid"], dtype=np.int32), np.asarray(pairs["score"], dtype=np.float64),
        _record_names(con), per_debtor, table,
    )  # fmt: skip
    try:
        with memory_released(con):  # the record names and their vectors are held here
            parts = _ranked_parts(len(debtors))
        return pa.concat_tables(parts) if parts else _best_table([], [], [])
    finally:
        _RANKING = None


@dataclass(frozen=True)
class _Ranking:
    """What re-ranking the company debtors' key pairs reads: the debtors (did, names, rank
    floor, lost), where each one's pairs start and end, the pairs' record numbers and key
    scores, every record's names by number, and the table of record names' vectors."""

    debtors: list[tuple[int, list[str], float | None, int]]
    starts: np.ndarray
    ends: np.ndarray
    records: np.ndarray
    scores: np.ndarray
    names: RecordNames
    per_debtor: int
    table: LatinTable

    def best(self, first: int, last: int) -> pa.Table:
        """The best pairs of debtors FIRST..LAST-1 (by their place in `debtors`)."""
        dids: list[np.ndarray] = []
        rids: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for at in range(first, last):
            did, debtor_names, rank_floor, lost = self.debtors[at]
            start, end = int(self.starts[at]), int(self.ends[at])
            record_numbers = self.records[start:end]
            best, fine = debtor_best(
                debtor_names, self.names.of(record_numbers), record_numbers,
                self.scores[start:end], (rank_floor, lost), self.per_debtor, self.table,
            )  # fmt: skip
            rids.append(best)
            values.append(fine)
            dids.append(np.full(len(best), did, dtype=np.int32))
        return _best_table(dids, rids, values)


# the re-ranking under way: forked workers read it from here, as this process left it
_RANKING: _Ranking | None = None
RANKED_PART = 500  # debtors a worker re-ranks at a time
PARALLEL_FROM = 8 * RANKED_PART  # fewer debtors: not worth forking for


def _ranked_parts(debtors: int) -> list[pa.Table]:
    """`_RANKING`'s best pairs, part by part in the debtors' order: spread over forked
    workers when there are many (the names' units and scores are pure Python and numpy on
    small arrays, a minute or two on one core at millions of records)."""
    parts = [(first, min(first + RANKED_PART, debtors))
             for first in range(0, debtors, RANKED_PART)]  # fmt: skip
    workers = worker_count()
    if debtors < PARALLEL_FROM or workers <= 1:
        return [_ranked_part(*part) for part in parts]
    return with_forks(_ranked_part, parts, workers)


def _ranked_part(first: int, last: int) -> pa.Table:
    if _RANKING is None:
        raise RuntimeError("no re-ranking under way")
    return _RANKING.best(first, last)


def _best_table(dids: list[np.ndarray], rids: list[np.ndarray], values: list[np.ndarray]
                ) -> pa.Table:  # fmt: skip
    return pairs_table(dids, rids, values, "value")


def debtor_best(
    debtor_names: list[str],
    candidates: list[list[str]],
    record_numbers: np.ndarray,
    key_scores: np.ndarray,
    floor: tuple[float | None, int],
    per_debtor: int,
    table: LatinTable | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One company debtor's `per_debtor` best candidates by its names' translation scores
    (ties: key score, then record number), and those scores; with a stored rank floor
    (FLOOR: the floor and how many candidates were lost), those at or above it and the best
    `lost` below it."""
    rank_floor, lost = floor
    fine = np.array(translation_scores(debtor_names, candidates, table))
    order = np.lexsort((record_numbers, -key_scores, -fine))
    if rank_floor is not None:
        above = fine[order] >= rank_floor
        order = order[above | (np.cumsum(~above) <= lost)]
    return record_numbers[order[:per_debtor]], fine[order[:per_debtor]]


# the key pairs (k) of company debtors whose candidates the translation model re-ranks
_RANKED_COMPANY = "k.ranked AND k.kind = 'company'"


def _ranked_debtors(
    con: duckdb.DuckDBPyConnection,
) -> list[tuple[int, list[str], float | None, int]]:
    """(did, names, rank floor, lost) of each company debtor whose key pairs are re-ranked."""
    rows = con.execute(
        "SELECT k.did, any_value(f.names), any_value(k.rank_floor), any_value(k.lost)"
        " FROM key_pairs k JOIN cand_debtors d USING (did)"
        " JOIN features f ON f.side = 'debtor' AND f.entity_id = d.debtor_id"
        f" WHERE {_RANKED_COMPANY} GROUP BY k.did ORDER BY k.did"
    ).fetchall()
    return [(int(did), names, floor, int(lost or 0)) for did, names, floor, lost in rows]


@dataclass(frozen=True)
class RecordNames:
    """The names of the records among the re-ranked company pairs, looked up once, not once a
    pair (listed with each debtor's pairs, a million-record run's names took a gigabyte of the
    query's memory). Kept as Arrow, not as Python lists: forked workers read them without
    touching them (a Python object read in a forked worker is copied into it)."""

    names: pa.ListArray
    at: np.ndarray  # each record number's place in `names`

    def of(self, record_numbers: np.ndarray) -> list[list[str]]:
        found: list[list[str]] = self.names.take(self.at[record_numbers]).to_pylist()
        return found


def _record_names(con: duckdb.DuckDBPyConnection) -> RecordNames:
    found = con.sql(
        "SELECT r.rid, f.names FROM cand_records r"
        " JOIN features f ON f.side = 'record' AND f.source = r.source"
        " AND f.entity_id = r.source_id"
        f" WHERE r.rid IN (SELECT rid FROM key_pairs k WHERE {_RANKED_COMPANY})"
    ).to_arrow_table()
    numbers = found.column("rid").to_numpy()
    at = np.zeros(int(numbers.max(initial=0)) + 1, dtype=np.int64)
    at[numbers] = np.arange(len(numbers))
    return RecordNames(found.column("names").combine_chunks(), at)


# added to a person pair's key score (at most 1): same birth month, year, within two years,
# unknown on a side, further apart
_BIRTH_AGREEMENT = """CASE
    WHEN d.birth_year IS NULL OR r.birth_year IS NULL THEN 0.15
    WHEN d.birth_year = r.birth_year AND d.birth_month = r.birth_month THEN 1.0
    WHEN d.birth_year = r.birth_year THEN 0.6
    WHEN abs(d.birth_year - r.birth_year) <= 2 THEN 0.3
    ELSE 0.0 END"""
