"""The key join of candidate generation on one machine: each debtor's `wide` best records by
key score, as a sparse matrix product.

A debtor's terms are a row of key strengths, a record's terms a column holding a one for each
key it blocks on; their product sums, for each record, the strengths of the keys it shares
with the debtor, and that sum times the record's shrink is its key score (matching/candidates.py).
scipy's product does in seconds what grouping hundreds of millions of join rows by pair took
the store minutes for (a million records: 11 s on one core against 77 s on two), and each
debtor's best come from a partition of its row, not from sorting all of its pairs.

Debtors go a slice at a time (`candidates._slices`: a slice's keys reach about `slice_rows`
records), spread over forked workers that share the matrices. A fresh debtor (a full run's
are all fresh) is paired with every record, one whose features did not change only with the
fresh records, as the store's join did. A record pairs with a debtor of its own kind, or of
any kind when its own is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from scipy import sparse

from pipelines.processes import with_forks, worker_count
from pipelines.store import insert_arrow, memory_released


@dataclass(frozen=True)
class _Join:
    """What the workers read: the debtors' key strengths (a row per debtor number), each
    debtor's kind, freshness and floor, each record's shrink, and the records' keys (a row per
    key, a column per record number) by (debtor kind, every record or the fresh only)."""

    strengths: sparse.csr_matrix
    kinds: np.ndarray
    fresh: np.ndarray
    floors: np.ndarray
    shrink: np.ndarray
    records: dict[tuple[str, bool], sparse.csr_matrix]
    wide: int


# the join under way: forked workers read it from here, as this process left it
_JOIN: _Join | None = None


def key_pairs(
    con: duckdb.DuckDBPyConnection, slices: Sequence[tuple[int, int]], wide: int, table: str
) -> None:
    """Insert into TABLE (did, rid, score, kind) each debtor's `wide` best records by key
    score at or above its floor (ties: the lower record number first), working the debtor
    numbers in SLICES (first, last) a slice at a time. Needs debtor_terms, record_terms,
    debtor_floor and cand_debtors."""
    global _JOIN
    # the matrices and the slices' products are held here, beside the store's pages
    with memory_released(con):
        _JOIN = _read_join(con, wide)
        try:
            parts = with_forks(_slice_best, list(slices), worker_count())
        finally:
            _JOIN = None
    found = pa.concat_tables(parts) if parts else pairs_table([], [], [])
    insert_arrow(
        con,
        "key_join_found",
        found,
        f"INSERT INTO {table} SELECT p.did, p.rid, p.score, d.kind"
        " FROM key_join_found p JOIN debtor_floor d USING (did)",
    )


def _read_join(con: duckdb.DuckDBPyConnection, wide: int) -> _Join:
    """The debtors' terms and floors, and the record matrices their kinds and freshness
    ask for, read from the store."""
    keys = _count(con, "SELECT max(key_id) FROM key_frequency")
    records = _count(con, "SELECT max(rid) FROM cand_records")
    debtor = con.execute(
        "SELECT c.did, c.kind, c.fresh, f.floor FROM cand_debtors c"
        " JOIN debtor_floor f USING (did) ORDER BY c.did"
    ).fetchnumpy()
    dids = np.asarray(debtor["did"])
    size = _count(con, "SELECT max(did) FROM cand_debtors")
    kinds, fresh, floors = np.full(size, "", dtype=object), np.zeros(size, bool), np.zeros(size)
    kinds[dids], fresh[dids] = np.asarray(debtor["kind"]), np.asarray(debtor["fresh"])
    floors[dids] = np.asarray(debtor["floor"], dtype=np.float64)
    terms = con.execute("SELECT did, key_id, strength FROM debtor_terms").fetchnumpy()
    strengths = sparse.csr_matrix(
        (terms["strength"], (terms["did"], terms["key_id"])), shape=(size, keys)
    )
    shrink = np.zeros(records)
    wanted = {(str(kinds[d]), bool(fresh[d])) for d in np.unique(terms["did"])}
    matrices = {want: _record_keys(con, *want, keys, shrink) for want in wanted}
    return _Join(strengths, kinds, fresh, floors, shrink, matrices, wide)


def _record_keys(
    con: duckdb.DuckDBPyConnection, kind: str, every: bool, keys: int, shrink: np.ndarray
) -> sparse.csr_matrix:
    """The keys (rows) of the records (columns) a debtor of KIND pairs with: every record, or
    the fresh ones only; their shrinks go into SHRINK (by record number)."""
    held = con.execute(
        "SELECT key_id, rid, shrink FROM record_terms WHERE (kind = $kind OR kind = 'unknown')"
        " AND (fresh OR $every)",
        {"kind": kind, "every": every},
    ).fetchnumpy()
    numbers = np.asarray(held["rid"])
    shrink[numbers] = np.asarray(held["shrink"])
    ones = np.ones(len(numbers))
    return sparse.csr_matrix((ones, (held["key_id"], numbers)), shape=(keys, len(shrink)))


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """One past the largest number SQL finds (1 when it finds none): an array's length."""
    return int(con.execute(sql).fetchall()[0][0] or 0) + 1


def _slice_best(first: int, last: int) -> pa.Table:
    """The best pairs of debtors FIRST..LAST: one product for each kind of debtor and the
    records it pairs with."""
    join = _JOIN
    if join is None:
        raise RuntimeError("no key join under way")
    numbers = np.arange(first, last + 1)
    dids, rids, scores = [], [], []
    for (kind, every), record_keys in join.records.items():
        rows = numbers[(join.kinds[numbers] == kind) & (join.fresh[numbers] == every)]
        if not len(rows):
            continue
        products = join.strengths[rows] @ record_keys
        products.data *= join.shrink[products.indices]
        at, found, best = row_best(products, join.floors[rows], join.wide)
        dids.append(rows[at])
        rids.append(found)
        scores.append(best)
    return pairs_table(dids, rids, scores)


def row_best(
    scores: sparse.csr_matrix, floors: np.ndarray, wide: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, score) of each row's `wide` best scores at or above its floor, best
    first, the lower column first among equal scores."""
    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    values: list[np.ndarray] = []
    starts, data, indices = scores.indptr, scores.data, scores.indices
    for row in np.flatnonzero(np.diff(starts)):  # rows that reach a record at all
        row_scores = data[starts[row] : starts[row + 1]]
        cut = floors[row]
        if len(row_scores) > wide:  # the `wide`-th best: ties with it are settled below
            cut = max(cut, np.partition(row_scores, len(row_scores) - wide)[-wide])
        kept = np.flatnonzero(row_scores >= cut)
        kept_columns = indices[starts[row] : starts[row + 1]][kept]
        order = np.lexsort((kept_columns, -row_scores[kept]))[:wide]
        rows.append(np.full(len(order), row))
        columns.append(kept_columns[order])
        values.append(row_scores[kept][order])
    return joined(rows, np.int64), joined(columns, np.int64), joined(values, np.float64)


def pairs_table(
    dids: list[np.ndarray], rids: list[np.ndarray], values: list[np.ndarray], name: str = "score"
) -> pa.Table:
    """Pairs (did, rid, NAME) from parts of their columns."""
    return pa.table({
        "did": joined(dids, np.int32).astype(np.int32),
        "rid": joined(rids, np.int32).astype(np.int32),
        name: joined(values, np.float64),
    })  # fmt: skip


def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
