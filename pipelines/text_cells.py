"""Batches of text cells, and the rows a reader refuses on their own: not UTF-8, holding a NUL,
or with a cell over MAX_CELL_BYTES. Shared by the CSV reader and the other table formats."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.table_files import MAX_CELL_BYTES


@dataclass(frozen=True)
class Batch:
    cells: pa.RecordBatch  # text columns c0, c1, ... in header order; '' for an empty cell
    lines: pa.Array  # int64: the line each row starts on (in Parquet, its row number)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) row by row, for readers that go through rows in Python."""
        columns = [column.to_pylist() for column in self.cells.columns]
        for index, line in enumerate(self.lines.to_pylist()):
            yield line, [column[index] for column in columns]


RowRejecter = Callable[[int, str, list[Any]], None]


def text_cells(
    batch: pa.RecordBatch,
    lines: pa.Array,
    reject: RowRejecter,
    nul: bool = True,
    large: bool = True,
) -> tuple[pa.RecordBatch, pa.Array]:
    """BATCH's cells as text; rows that are not UTF-8, hold a NUL or a cell over MAX_CELL_BYTES
    are handed to REJECT and left out. NUL and LARGE say whether a NUL or a large cell may be
    there at all (the caller may know there is none)."""
    bad = np.zeros(batch.num_rows, bool)
    reasons: dict[int, str] = {}
    texts: list[pa.Array] = []
    for column in batch.columns:
        try:
            texts.append(column.cast(pa.string()) if column.type != pa.string() else column)
        except pa.ArrowInvalid:
            _mark(bad, reasons, _not_utf8(column), "not valid UTF-8 text")
            texts.append(column)
        if nul:
            found = pc.match_substring(column.cast(pa.binary()), "\x00")
            _mark(bad, reasons, found, "a cell holds a NUL character")
        if large and _buffer_size(column) > MAX_CELL_BYTES:
            too_big = pc.greater(pc.binary_length(column), MAX_CELL_BYTES)
            _mark(bad, reasons, too_big, f"a cell is larger than {MAX_CELL_BYTES >> 20} MB")
    if bad.any():
        for position in np.flatnonzero(bad):
            cells = [column[position].as_py() for column in batch.columns]
            reject(int(lines[position].as_py()), reasons[int(position)], cells)
        keep = pa.array(~bad)
        texts = [
            column.filter(keep).cast(pa.string())
            if column.type != pa.string()
            else column.filter(keep)
            for column in texts
        ]
        lines = lines.filter(keep)
    return pa.RecordBatch.from_arrays(texts, names=batch.schema.names), lines


def _buffer_size(column: pa.Array) -> int:
    """The bytes of all a text column's values: no one value can be larger."""
    data = column.buffers()[2] if len(column.buffers()) > 2 else None
    return 0 if data is None else int(data.size)


def texts(cells: list[Any]) -> list[str]:
    return [c.decode("utf-8", "replace") if isinstance(c, bytes) else str(c) for c in cells]


def _mark(
    bad: np.ndarray, reasons: dict[int, str], found: pa.Array | np.ndarray, reason: str
) -> None:
    flags = found if isinstance(found, np.ndarray) else np.asarray(found.fill_null(False))
    for index in np.flatnonzero(flags & ~bad):
        reasons[int(index)] = reason
    bad |= flags


def _not_utf8(column: pa.Array) -> np.ndarray:
    flags = np.zeros(len(column), bool)
    for index, value in enumerate(column.to_pylist()):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            flags[index] = True
    return flags
