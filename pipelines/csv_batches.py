"""A CSV file's rows, read by pyarrow in chunks of whole rows (`pipelines.csv_chunks`), each row
given the line it starts on; malformed rows, and rows that are not text in the file's encoding,
are refused on their own lines."""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines import csv_chunks
from pipelines.rejections import Rejected
from pipelines.table_files import MAX_CELL_BYTES, TableFile, column_names
from pipelines.text_cells import Batch, text_cells, texts

BLOCK_BYTES = 1 << 20  # pyarrow parses a chunk in blocks of this size, on every core
# Python's csv module reads a chunk pyarrow and numpy disagree on; its cells may be as long as
# a row may be
csv.field_size_limit(csv_chunks.MAX_ROW_BYTES)


@dataclass
class CsvReading:
    table: TableFile
    encoding: str  # a codec name, ASCII-compatible
    delimiter: str

    def batches(self, stream: IO[bytes], rest: bytes, first_line: int) -> Iterator[Batch]:
        try:
            for chunk in csv_chunks.chunks(stream, rest, first_line, self.table.label):
                yield from self._batches(chunk)
        finally:
            stream.close()

    def _utf8(self, chunk: bytes, line: int) -> bytes:
        """The chunk as UTF-8 (rows that are not text in the encoding made blank lines)."""
        if self.encoding == "utf-8":
            return chunk
        try:
            return chunk.decode(self.encoding).encode("utf-8")
        except UnicodeDecodeError:
            pass
        rows = csv_chunks.scan(chunk, line)
        parts = []
        for start, end, at in zip(rows.starts, rows.ends, rows.lines, strict=True):
            piece = chunk[start:end]
            try:
                parts.append(piece.decode(self.encoding).encode("utf-8"))
            except UnicodeDecodeError:
                self._reject(int(at), f"not valid {self.encoding} text", piece)
                # blank lines in its place keep the lines of the rows that follow
                parts.append(b"\n" * csv_chunks.count_lines(piece)[0])
        return b"".join(parts)

    def _batches(self, piece: csv_chunks.Chunk) -> Iterator[Batch]:
        """The chunk's rows, parsed by pyarrow, each given its line.

        Most chunks have no blank line, no malformed row and no lone carriage return: each row
        then takes one line more than the newlines inside its cells. Any other chunk has its
        rows found by `csv_chunks.scan`, which tells which rows pyarrow left out, and where."""
        width, line = len(self.table.header), piece.line
        chunk = self._utf8(piece.data, line)
        if piece.last and chunk.count(b'"') % 2:  # the file ends inside quotes
            rows = csv_chunks.scan(chunk, line)
            start = int(rows.starts[-1])
            reason = "the file ends inside a quoted cell (was it cut short?)"
            self._reject(int(rows.lines[-1]), reason, chunk[start:])
            chunk = chunk[:start]
        parsed, refused = self._parse(chunk, width)
        if parsed is not None and not refused and _plain_lines(chunk, piece):
            lines = _lines_by_newlines(parsed, line, piece.lines)
        else:
            scanned = self._scanned(chunk, line, parsed, width)
            if scanned is None:
                yield self._by_python(chunk, line)  # quotes or line ends numpy misjudged
                return
            lines = scanned
        assert parsed is not None
        if not parsed.num_rows:
            return
        # one batch a chunk: pyarrow parses it in blocks, on every core, but a consumer pays
        # for each batch it is handed (a spider's column work, a staged file)
        batch = parsed.combine_chunks().to_batches()[0]
        nul, large = b"\x00" in chunk, len(chunk) > MAX_CELL_BYTES
        cells, at = text_cells(batch, lines, self._reject_row, nul, large)
        if cells.num_rows:
            yield Batch(cells, at)

    def _scanned(
        self, chunk: bytes, line: int, parsed: pa.Table | None, width: int
    ) -> pa.Array | None:
        """Lines of the rows pyarrow kept, from numpy's reading of the chunk (malformed rows
        refused on their own lines); None where the two readings disagree."""
        rows = csv_chunks.scan(chunk, line)
        kept = ~rows.blank
        malformed = np.zeros(0, np.int64)
        if parsed is None or parsed.num_rows != int(kept.sum()):
            fields = csv_chunks.field_counts(chunk, rows, self.delimiter)
            malformed = np.flatnonzero(kept & (fields != width))
            kept &= fields == width
        if parsed is None or parsed.num_rows != int(kept.sum()):
            return None  # the reader that takes the chunk then refuses its malformed rows
        for index in malformed:
            reason = f"malformed row: {_fields(int(fields[index]))} where the header has {width}"
            row = chunk[rows.starts[index] : rows.ends[index]]
            self._reject(int(rows.lines[index]), reason, row)
        return pa.array(rows.lines[kept], pa.int64())

    def _parse(self, chunk: bytes, width: int) -> tuple[pa.Table | None, int]:
        """The chunk's rows as text (as bytes where some cell is not UTF-8: its row is then
        refused; None for a chunk pyarrow cannot read), and how many rows pyarrow refused."""
        refused: list[int] = []
        block = BLOCK_BYTES
        for kind in (pa.string(), pa.binary()):
            try:
                refused.clear()
                return self._read(chunk, width, kind, refused, block), len(refused)
            except pa.ArrowInvalid as error:
                if "straddl" in str(error):  # a row longer than a block: one block, then
                    block = len(chunk) + 1
                    try:
                        refused.clear()
                        return self._read(chunk, width, kind, refused, block), len(refused)
                    except pa.ArrowInvalid as again:
                        error = again
                if "UTF8" not in str(error):
                    return None, 0
        return None, 0

    def _read(
        self, chunk: bytes, width: int, kind: pa.DataType, refused: list[int], block: int
    ) -> pa.Table:
        names = column_names(width)

        def refuse(row: Any) -> str:
            refused.append(1)
            return "skip"

        with _undecodable_rows_unreadable():
            return self._pyarrow_read(chunk, names, kind, refuse, block)

    def _pyarrow_read(
        self, chunk: bytes, names: list[str], kind: pa.DataType, refuse: Any, block: int
    ) -> pa.Table:
        return pacsv.read_csv(
            io.BytesIO(chunk),
            read_options=pacsv.ReadOptions(column_names=names, block_size=block),
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter,
                newlines_in_values=True,
                invalid_row_handler=refuse,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, kind),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def _by_python(self, chunk: bytes, line: int) -> Batch:
        """The chunk read by Python's csv module, which counts lines itself (slower, exact)."""
        width = len(self.table.header)
        text = chunk.decode("utf-8", errors="surrogateescape")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        cells: list[list[str]] = [[] for _ in range(width)]
        lines: list[int] = []
        read = 0  # lines read before the row
        for row in reader:
            start, read = line + read, reader.line_num
            if not row:
                continue
            if len(row) != width:
                reason = f"malformed row: {_fields(len(row))} where the header has {width}"
                self._reject(
                    start, reason, self.delimiter.join(row).encode("utf-8", "surrogateescape")
                )
                continue
            for column, value in zip(cells, row, strict=True):
                column.append(value)
            lines.append(start)
        arrays = [
            pa.array([v.encode("utf-8", "surrogateescape") for v in c], pa.binary()) for c in cells
        ]
        batch = pa.RecordBatch.from_arrays(arrays, names=column_names(width))
        return Batch(*text_cells(batch, pa.array(lines, pa.int64()), self._reject_row))

    def _reject_row(self, line: int, reason: str, cells: list[Any]) -> None:
        text = self.delimiter.join(texts(cells))
        self.table.rejections.append(Rejected(self.table.label, line, reason, None, text))

    def _reject(self, line: int, reason: str, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        self.table.rejections.append(Rejected(self.table.label, line, reason, None, text))


def _plain_lines(chunk: bytes, piece: csv_chunks.Chunk) -> bool:
    """No blank line, and no carriage return but before a newline."""
    if b"\n\n" in chunk or b"\n\r\n" in chunk or chunk.startswith((b"\n", b"\r\n")):
        return False
    return not piece.lone_returns


def _lines_by_newlines(parsed: pa.Table, first: int, lines: int) -> pa.Array:
    """The line each parsed row starts on: one line a row, and one more per newline in its
    cells (looked for only where the chunk's LINES are more than its rows, and only in the
    columns whose bytes hold one at all)."""
    if lines <= parsed.num_rows:  # a line a row (the last perhaps without its line end)
        return pa.array(np.arange(first, first + parsed.num_rows, dtype=np.int64))
    spans: pa.Array = pa.array(np.ones(parsed.num_rows, np.int64))
    for column in parsed.columns:
        if any(_holds_newline(piece) for piece in column.chunks):
            newlines = pc.count_substring(column, "\n").combine_chunks().fill_null(0)
            spans = pc.add(spans, newlines.cast(pa.int64()))
    ends = pc.cumulative_sum(spans)
    return pc.add(pc.subtract(ends, spans), first)


def _holds_newline(array: pa.Array) -> bool:
    """Whether a newline is anywhere in a text ARRAY (one scan of its value buffer)."""
    data = array.buffers()[2] if len(array.buffers()) > 2 else None
    return data is not None and bool((np.frombuffer(data, np.uint8) == 10).any())


@contextlib.contextmanager
def _undecodable_rows_unreadable() -> Iterator[None]:
    """pyarrow decodes a malformed row's text before it asks what to do with it; a row that
    is not UTF-8 fails there, where Python can only print the error. That print is kept off
    the user's screen and the chunk counted unreadable (another reader then takes it)."""
    failed: list[BaseException] = []
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError):
            failed.append(unraisable.exc_value)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous
    if failed:
        raise pa.ArrowInvalid("a malformed row is not UTF-8")


def _fields(count: int) -> str:
    return "1 field" if count == 1 else f"{count} fields"
