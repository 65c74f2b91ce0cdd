"""Bulk files as streams of column batches: a zip or plain CSV → pyarrow batches with line numbers.

Nothing here knows about any one source. Headers are matched by their folded form (case, spaces,
dots, hyphens and underscores ignored), so " CompanyNumber" and "Incorp-\\norated" are found.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines.columns import fold_header
from pipelines.crawl_items import Rejected

HEAD_BYTES = 1 << 20


class MissingColumn(ValueError):
    """A column the spider needs is not in the file (renamed or dropped by the publisher)."""


def sniff_encoding(head: bytes) -> str:
    """UTF-8 when the head decodes as such, else GB18030 when that reads as Chinese, else cp1252
    (a superset of Latin-1 for text), else Latin-1, which decodes anything."""
    sample = head[: head.rfind(b"\n") + 1] or head
    for encoding in ("utf-8", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8" or _mostly_chinese(text):
            return encoding
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _mostly_chinese(text: str) -> bool:
    wide = [c for c in text if ord(c) > 0x7F]
    chinese = [c for c in wide if 0x3000 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF]
    return len(chinese) >= 0.8 * len(wide)


class _Prefixed(io.RawIOBase):
    """`head` followed by the rest of `stream`: lets the head be inspected without seeking."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data: bytes = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class CsvFile:
    """One CSV file being read: its label (URL, and member for a zip), header and column use."""

    label: str
    header: list[str]
    encoding: str
    rejections: list[Rejected] = field(default_factory=list)
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

    file: CsvFile
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


def open_members(body: bytes, label: str, zipped: bool) -> Iterator[tuple[str, IO[bytes]]]:
    """(label, byte stream) for each CSV in a zip, or the body itself."""
    if not zipped:
        yield label, io.BytesIO(body)
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as error:
        raise ValueError(f"{label}: not a complete zip archive ({error})") from None
    names = [n for n in archive.namelist() if n.lower().endswith((".csv", ".txt"))]
    if not names:
        raise ValueError(f"{label}: the zip archive holds no CSV file")
    for name in sorted(names):
        with archive.open(name) as member:
            yield f"{label}#{name}", member


def read_csv(
    stream: IO[bytes], label: str, encoding: str, batch_bytes: int = 8 << 20
) -> tuple[CsvFile, Iterator[Columns]]:
    """The file's header and its rows in batches, every column as text."""
    head = stream.read(HEAD_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    chosen = sniff_encoding(head) if encoding == "auto" else encoding
    header, header_lines, header_bytes = _header(head, chosen, label)
    csv_file = CsvFile(label, header, chosen)
    names = [f"c{i}" for i in range(len(header))]
    reader = pacsv.open_csv(
        _Prefixed(head[header_bytes:], stream),
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=batch_bytes, encoding=_arrow_encoding(chosen)
        ),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=_rejecter(csv_file)
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    return csv_file, _batches(reader, csv_file, header_lines + 1)


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if codecs.lookup(encoding).name == "utf-8" else encoding


def _header(head: bytes, encoding: str, label: str) -> tuple[list[str], int, int]:
    """The header cells, how many lines they span and how many bytes."""
    text = head.decode(encoding, errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ValueError(f"{label}, line 1: no readable header row ({error})") from None
    lines = reader.line_num
    offset = 0
    for _ in range(lines):
        offset = head.index(b"\n", offset) + 1 if b"\n" in head[offset:] else len(head)
    return [cell.strip() for cell in header], lines, offset


def _rejecter(csv_file: CsvFile) -> object:
    def reject(row: pacsv.InvalidRow) -> str:
        csv_file.rejections.append(
            Rejected(
                csv_file.label,
                row.number,
                f"malformed row: {row.actual_columns} fields where the header has"
                f" {row.expected_columns}",
                raw=row.text,
            )
        )
        return "skip"

    return reject


def _batches(reader: pacsv.CSVStreamingReader, csv_file: CsvFile, first: int) -> Iterator[Columns]:
    line, skipped = first, 0
    for batch in reader:
        if batch.num_rows == 0:
            continue
        extra = [pc.count_substring(c, "\n") for c in batch.columns if _may_hold_newlines(c)]
        spans = pc.add(pc.cast(_sum(extra, batch.num_rows), pa.int64()), 1)
        ends = pc.cumulative_sum(spans)
        starts = pc.add(pc.subtract(ends, spans), line)
        line += pc.sum(spans).as_py()
        # rows skipped as malformed took a line each; where they sat in the batch is not known
        line += len(csv_file.rejections) - skipped
        skipped = len(csv_file.rejections)
        yield Columns(csv_file, batch, starts)


def _may_hold_newlines(column: pa.Array) -> bool:
    """False when no value of the text COLUMN can hold a newline: none is in its bytes at all,
    which one scan of its value buffer settles far faster than counting newlines row by row."""
    if column.type != pa.string():
        return True
    data = column.buffers()[2]
    return data is not None and b"\n" in data.to_pybytes()


def _sum(arrays: list[pa.Array], rows: int) -> pa.Array:
    total: pa.Array = pa.array([0] * rows, pa.int64()) if not arrays else arrays[0]
    for array in arrays[1:]:
        total = pc.add(total, array)
    return total
