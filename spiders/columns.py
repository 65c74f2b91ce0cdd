"""A spider's view of a published table: batches of columns it pops by their published names,
so that what no spider pops is reported as unused. Headers are matched by their folded form
(case, spaces, dots, hyphens and underscores ignored), so " CompanyNumber" and "Incorp-\\norated"
are found."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.columns import fold_header


class MissingColumn(ValueError):
    """A column the spider needs is not in the file (renamed or dropped by the publisher)."""


@dataclass
class ColumnUse:
    """One published table being read: its label (URL, and member for a zip), its header and
    which of its columns a spider has used."""

    label: str
    header: list[str]
    used: set[int] = field(default_factory=set)
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for position, title in enumerate(self.header):
            self._index.setdefault(fold_header(title), position)

    def position(self, name: str) -> int | None:
        return self._index.get(fold_header(name))

    def unused(self) -> tuple[str, ...]:
        return tuple(t for i, t in enumerate(self.header) if i not in self.used)


@dataclass
class Columns:
    """One batch of rows. A spider pops each column it uses; what no one pops is reported."""

    file: ColumnUse
    batch: pa.RecordBatch
    lines: pa.Array  # the line each row starts on in the file

    @property
    def rows(self) -> int:
        return int(self.batch.num_rows)

    def has(self, name: str) -> bool:
        return self.file.position(name) is not None

    def pop(self, name: str) -> pa.Array:
        """The column, trimmed, blanks as nulls; a clear error when the file lacks it."""
        position = self.file.position(name)
        if position is None:
            raise MissingColumn(
                f"{self.file.label}, line 1: required column {name!r} is missing"
                f" (header: {', '.join(self.file.header)})"
            )
        self.file.used.add(position)
        return blank_to_null(self.batch.column(position))

    def pop_optional(self, name: str) -> pa.Array:
        if self.has(name):
            return self.pop(name)
        return pa.nulls(self.rows, pa.string())

    def ignore(self, *names: str) -> None:
        """Columns known and deliberately left in the raw payload only."""
        for name in names:
            position = self.file.position(name)
            if position is not None:
                self.file.used.add(position)

    def raw(self) -> tuple[list[str], list[pa.Array]]:
        return self.file.header, self.batch.columns


def blank_to_null(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def join_present(separator: str, *columns: pa.Array) -> pa.Array:
    """Element-wise join of the non-null values; null when all are null."""
    joined = columns[0]
    for column in columns[1:]:
        both = pc.binary_join_element_wise(joined, column, separator)  # null if either is
        joined = pc.coalesce(both, joined, column)
    return joined


def list_of_present(*columns: pa.Array) -> pa.Array:
    """Element-wise list of the non-null values, in column order (empty when all are null)."""
    rows = len(columns[0])
    flat = pa.concat_arrays([pa.array(c) if isinstance(c, pa.ChunkedArray) else c for c in columns])
    # row-major positions into the column-major concatenation
    order = (np.arange(len(columns))[None, :] * rows + np.arange(rows)[:, None]).ravel()
    valid = np.asarray(pc.is_valid(flat).to_numpy(zero_copy_only=False))[order]
    counts = valid.reshape(rows, len(columns)).sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = flat.take(pa.array(order[valid]))
    return pa.ListArray.from_arrays(pa.array(offsets), values)
