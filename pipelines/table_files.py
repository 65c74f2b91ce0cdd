"""Table files as batches of text cells, each row with the line it starts on: CSV (in any
supported encoding, comma, tab, semicolon or pipe separated), XLSX, JSON lines, Parquet, and zips
of them. The one reader of debtor lists, imported records and downloaded register files.

A row that cannot be read (a wrong number of fields, bytes that are not text in the file's
encoding, a NUL, a cell over MAX_CELL_BYTES) is left out and listed in the table's
`rejections`, with its line; the rest of the file is read. A file that is not a table at all
raises InputFileError.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines import csv_chunks
from pipelines.encoding import CHUNK, checked_name, decodes, sniff_encoding
from pipelines.errors import InputFileError
from pipelines.progress import QUIET, Progress
from pipelines.rejections import Rejected

MAX_CELL_BYTES = 1 << 20
BATCH_ROWS = 50_000  # of XLSX, JSON lines and Parquet tables
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".xlsx")
_ZIP, _OLE, _PARQUET = b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1"
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
Source = Path | bytes  # a file on disk, or a download (or zip member) held in memory


@dataclass(frozen=True)
class Batch:
    cells: pa.RecordBatch  # text columns c0, c1, ... in header order; '' for an empty cell
    lines: pa.Array  # int64: the line each row starts on (in Parquet, its row number)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) row by row, for readers that go through rows in Python."""
        columns = [column.to_pylist() for column in self.cells.columns]
        for index, line in enumerate(self.lines.to_pylist()):
            yield line, [column[index] for column in columns]


@dataclass
class TableFile:
    label: str  # the file, or URL, with '#member' for a zip member
    format: str  # 'csv', 'xlsx', 'jsonl' or 'parquet'
    header: list[str]
    encoding: str | None
    batches: Iterator[Batch]
    rejections: list[Rejected] = field(default_factory=list)  # grows as batches are read
    failure: InputFileError | None = None  # why reading stopped short, for an Arrow stream

    @property
    def names(self) -> list[str]:
        return column_names(len(self.header))

    def schema(self) -> pa.Schema:
        return pa.schema([(name, pa.string()) for name in self.names] + [("line", pa.int64())])

    def arrow_reader(self) -> pa.RecordBatchReader:
        """The rows as one Arrow stream of the text columns and `line`. An error in reading
        ends the stream and is kept in `failure`: call `check()` once it has been read."""
        return pa.RecordBatchReader.from_batches(self.schema(), self._stream())

    def _stream(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self.batches:
                yield pa.RecordBatch.from_arrays(
                    [*batch.cells.columns, batch.lines], schema=self.schema()
                )
        except InputFileError as error:
            self.failure = error
        except (OSError, EOFError, zipfile.BadZipFile, pa.ArrowException) as error:
            self.failure = InputFileError(self.label, f"cannot be read to the end: {error}")

    def check(self) -> None:
        """Raise what stopped the Arrow stream short, if anything did."""
        if self.failure is not None:
            raise self.failure


def column_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def read_file(
    path: Path,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress = QUIET,
) -> TableFile:
    """A table file on disk, or a zip holding one. PROGRESS hears of a CSV file's bytes read."""
    if not path.is_file():
        raise InputFileError(str(path), "no such file")
    with path.open("rb") as handle:
        head = handle.read(CHUNK)
    kind = sniff_format(head, path.name, str(path), path)
    if kind == "zip":
        tables = list(read_zip(path, str(path), encoding))
        if len(tables) != 1:
            raise InputFileError(str(path), f"a zip of {len(tables)} tables: give one at a time")
        return tables[0]
    if kind == "csv":
        named = _encoding(encoding, str(path))
        if named and not decodes(_chunks_of(path), named):
            raise InputFileError(str(path), f"does not decode as {encoding}")
        chosen = named or sniff_encoding(_chunks_of(path))
        progress.stage(f"read {path.name}", path.stat().st_size, "bytes")
        return read_csv(io.BufferedReader(_Counted(path.open("rb"), progress)), str(path), chosen)
    return _open(kind, path, str(path), encoding, sheet)


def read_download(
    body: bytes,
    label: str,
    encoding: str | None = None,
    wanted: Callable[[str], bool] | None = None,
) -> Iterator[TableFile]:
    """Each table of a downloaded file: the file itself, or a zip's table members by name."""
    kind = sniff_format(body[:CHUNK], label.rsplit("/", 1)[-1], label, body)
    if kind == "zip":
        yield from read_zip(body, label, encoding, wanted)
        return
    if kind == "csv":
        head = body[:CHUNK]
        chosen = _encoding(encoding, label) or sniff_encoding([head[: head.rfind(b"\n") + 1]])
        yield read_csv(io.BytesIO(body), label, chosen)
        return
    yield _open(kind, body, label, encoding, None)


def read_zip(
    source: Source,
    label: str,
    encoding: str | None,
    wanted: Callable[[str], bool] | None = None,
) -> Iterator[TableFile]:
    try:
        archive = zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source))
    except zipfile.BadZipFile as error:
        raise InputFileError(label, f"not a complete zip archive ({error})") from None
    keep = wanted or (lambda name: name.lower().endswith(TABLE_SUFFIXES))
    names = sorted(
        n for n in archive.namelist() if not n.endswith("/") and "__MACOSX" not in n and keep(n)
    )
    if not names:
        raise InputFileError(label, "the zip archive holds no table file")
    for name in names:
        member_label = f"{label}#{name}"
        with archive.open(name) as member:
            head = member.read(CHUNK)
        kind = sniff_format(head, name, member_label, None)
        if kind == "csv":
            chosen = _encoding(encoding, member_label) or sniff_encoding(
                [head[: head.rfind(b"\n") + 1] or head]
            )
            yield read_csv(archive.open(name), member_label, chosen)
        else:
            yield _open(kind, archive.read(name), member_label, encoding, None)


def sniff_format(head: bytes, name: str, label: str, whole: Source | None) -> str:
    """'csv', 'xlsx', 'jsonl', 'parquet' or 'zip', by content (HEAD, and WHOLE when a zip's
    members tell a workbook) rather than by name."""
    if head.startswith(_ZIP):
        return "xlsx" if name.lower().endswith(".xlsx") or _is_workbook(whole) else "zip"
    if head.startswith(_PARQUET):
        return "parquet"
    if name.lower().endswith(".parquet"):
        raise InputFileError(label, "not a Parquet file (no PAR1 signature)")
    if head.startswith(_OLE):
        raise InputFileError(label, "old binary .xls workbook: save it as .xlsx or CSV")
    if _binary(head[:4096]) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(label, "binary data, not a table file")
    if name.lower().endswith(_JSONL_SUFFIXES) or head.lstrip().startswith(b"{"):
        return "jsonl"
    return "csv"


def _binary(sample: bytes) -> bool:
    """Control bytes (not tab, newline, carriage return) in more than 1 of 20 bytes: one NUL in
    a row of text is that row's fault, not the file's."""
    control = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    return control * 20 > len(sample)


def _is_workbook(whole: Source | None) -> bool:
    if whole is None:
        return False
    try:
        with zipfile.ZipFile(whole if isinstance(whole, Path) else io.BytesIO(whole)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _encoding(named: str | None, label: str) -> str | None:
    if not named or named == "auto":
        return None
    try:
        return checked_name(named)
    except LookupError:
        raise InputFileError(label, f"unknown encoding {named!r}") from None


def _chunks_of(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _open(
    kind: str, source: Source, label: str, encoding: str | None, sheet: str | None
) -> TableFile:
    if kind == "xlsx":
        return _read_xlsx(source, label, sheet)
    if kind == "jsonl":
        return _read_jsonl(source, label, _encoding(encoding, label) or "utf-8")
    return _read_parquet(source, label)


# CSV ---------------------------------------------------------------------------------------


def read_csv(stream: IO[bytes], label: str, encoding: str) -> TableFile:
    """A CSV stream in ENCODING: its header row (which may span lines) and its rows in
    batches; the stream is closed when the last batch has been read."""
    head = stream.read(CHUNK)
    name = codecs.lookup(encoding).name
    if name.startswith("utf-16"):  # not ASCII-compatible: read it as UTF-8
        stream = io.BufferedReader(_Utf8(stream, head, encoding))
        head, name = stream.read(CHUNK), "utf-8"
    head = head.removeprefix(codecs.BOM_UTF8)
    end = csv_chunks.header_end(head)
    header_bytes = head[:end]
    delimiter = csv_chunks.sniff_delimiter(header_bytes)
    text = header_bytes.decode(name, errors="replace")
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    if not any(cell.strip() for cell in header):
        stream.close()
        raise InputFileError(label, "empty file: no header row")
    table = TableFile(label, "csv", [cell.strip() for cell in header], encoding, iter(()))
    first_line = 1 + csv_chunks.count_lines(header_bytes)[0]
    reading = _CsvReading(table, name, delimiter)
    table.batches = reading.batches(stream, head[end:], first_line)
    return table


@dataclass
class _CsvReading:
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
        cells, at = _text_cells(batch, lines, self._reject_row, nul, large)
        if cells.num_rows:
            yield Batch(cells, at)

    def _scanned(
        self, chunk: bytes, line: int, parsed: pa.Table | None, width: int
    ) -> pa.Array | None:
        """Lines of the rows pyarrow kept, from numpy's reading of the chunk (malformed rows
        refused on their own lines); None where the two readings disagree."""
        rows = csv_chunks.scan(chunk, line)
        kept = ~rows.blank
        if parsed is None or parsed.num_rows != int(kept.sum()):
            fields = csv_chunks.field_counts(chunk, rows, self.delimiter)
            for index in np.flatnonzero(kept & (fields != width)):
                reason = (
                    f"malformed row: {_fields(int(fields[index]))} where the header has {width}"
                )
                row = chunk[rows.starts[index] : rows.ends[index]]
                self._reject(int(rows.lines[index]), reason, row)
            kept &= fields == width
        if parsed is None or parsed.num_rows != int(kept.sum()):
            return None
        return pa.array(rows.lines[kept], pa.int64())

    def _parse(self, chunk: bytes, width: int) -> tuple[pa.Table | None, int]:
        """The chunk's rows as text (as bytes where some cell is not UTF-8: its row is then
        refused; None for a chunk pyarrow cannot read), and how many rows pyarrow refused."""
        refused: list[int] = []
        try:
            return self._read(chunk, width, pa.string(), refused), len(refused)
        except pa.ArrowInvalid as error:
            if "UTF8" not in str(error):
                return None, 0
        try:
            refused.clear()
            return self._read(chunk, width, pa.binary(), refused), len(refused)
        except pa.ArrowInvalid:
            return None, 0

    def _read(self, chunk: bytes, width: int, kind: pa.DataType, refused: list[int]) -> pa.Table:
        names = column_names(width)

        def refuse(row: Any) -> str:
            refused.append(1)
            return "skip"

        return pacsv.read_csv(
            io.BytesIO(chunk),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 20),
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
                self._reject(start, reason, self.delimiter.join(row).encode("utf-8", "replace"))
                continue
            for column, value in zip(cells, row, strict=True):
                column.append(value)
            lines.append(start)
        arrays = [
            pa.array([v.encode("utf-8", "surrogateescape") for v in c], pa.binary()) for c in cells
        ]
        batch = pa.RecordBatch.from_arrays(arrays, names=column_names(width))
        return Batch(*_text_cells(batch, pa.array(lines, pa.int64()), self._reject_row))

    def _reject_row(self, line: int, reason: str, cells: list[Any]) -> None:
        text = self.delimiter.join(_texts(cells))
        self.table.rejections.append(Rejected(self.table.label, line, reason, None, text))

    def _reject(self, line: int, reason: str, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        self.table.rejections.append(Rejected(self.table.label, line, reason, None, text))


RowRejecter = Callable[[int, str, list[Any]], None]


def _text_cells(
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


def _buffer_size(column: pa.Array) -> int:
    """The bytes of all a text column's values: no one value can be larger."""
    data = column.buffers()[2] if len(column.buffers()) > 2 else None
    return 0 if data is None else int(data.size)


def _texts(cells: list[Any]) -> list[str]:
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


class _Utf8(io.RawIOBase):
    """A stream in a non-ASCII-compatible encoding (UTF-16), re-encoded as UTF-8 as it is read."""

    def __init__(self, stream: IO[bytes], head: bytes, encoding: str) -> None:
        prefixed = io.BufferedReader(_Prefixed(head, stream))
        self._text = io.TextIOWrapper(prefixed, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = self._text.read(CHUNK).encode("utf-8")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._text.close()
        super().close()


class _Counted(io.RawIOBase):
    """A file whose bytes read so far are told to PROGRESS."""

    def __init__(self, stream: IO[bytes], progress: Progress) -> None:
        self._stream, self._progress, self._read = stream, progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data: bytes = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self._read += len(data)
        self._progress.update(self._read)
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


class _Prefixed(io.RawIOBase):
    """HEAD, then the rest of STREAM."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data: bytes = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


# XLSX, JSON lines, Parquet -----------------------------------------------------------------


def _read_xlsx(source: Source, label: str, sheet: str | None) -> TableFile:
    from openpyxl import load_workbook  # here: loading it costs every CSV a tenth of a second

    try:
        opened = source if isinstance(source, Path) else io.BytesIO(source)
        book = load_workbook(opened, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise InputFileError(label, f"not a readable XLSX workbook ({error})") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InputFileError(label, f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    values = (book[sheet] if sheet is not None else book.worksheets[0]).iter_rows(values_only=True)
    try:
        header = [_cell_text(cell) for cell in next(values)]
    except StopIteration:
        raise InputFileError(label, "empty sheet: no header row") from None
    table = TableFile(label, "xlsx", header, None, iter(()))
    rows = (
        (line, [_cell_text(cell) for cell in cells[: len(header)]])
        for line, cells in enumerate(values, start=2)
        if any(cell not in (None, "") for cell in cells)
    )
    table.batches = _batched(table, rows)
    return table


def _cell_text(value: object) -> str:
    """Excel cells as text the way a person reads them (dates as ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_jsonl(source: Source, label: str, encoding: str) -> TableFile:
    """JSON lines: one object a line; the header is every key, in the order first seen (a
    first pass over the file finds them)."""
    keys: dict[str, None] = {}
    for _, found in _objects(source, label, encoding, None):
        if isinstance(found, dict):
            keys.update(dict.fromkeys(found))
    table = TableFile(label, "jsonl", list(keys), encoding, iter(()))
    if not keys:
        raise InputFileError(label, "no JSON object in the file")
    rows = (
        (line, [_json_text(found.get(key)) for key in keys])
        for line, found in _objects(source, label, encoding, table.rejections)
        if isinstance(found, dict)
    )
    table.batches = _batched(table, rows)
    return table


def _objects(
    source: Source, label: str, encoding: str, rejections: list[Rejected] | None
) -> Iterator[tuple[int, object]]:
    handle = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    with io.TextIOWrapper(handle, encoding=encoding, errors="surrogateescape", newline="") as text:
        for line, content in enumerate(text, start=1):
            if not content.strip():
                continue
            problem, found = _json_object(content)
            if problem and rejections is not None:
                rejections.append(Rejected(label, line, problem, None, content.rstrip("\r\n")))
            yield line, found


def _json_object(content: str) -> tuple[str | None, object]:
    try:
        content.encode("utf-8")
        found = json.loads(content)
    except UnicodeEncodeError:
        return "not valid UTF-8 text", None
    except json.JSONDecodeError as error:
        return f"not JSON: {error.msg} (column {error.colno})", None
    if not isinstance(found, dict):
        return "not a JSON object", None
    if any("\x00" in _json_text(v) for v in found.values()):
        return "a cell holds a NUL character", None
    return None, found


def _json_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _read_parquet(source: Source, label: str) -> TableFile:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source if isinstance(source, Path) else io.BytesIO(source))
    except (pa.ArrowInvalid, OSError) as error:
        raise InputFileError(label, f"cannot be read as Parquet: {error}") from None
    table = TableFile(label, "parquet", list(parquet.schema_arrow.names), None, iter(()))
    table.batches = _parquet_batches(parquet, table)
    return table


def _parquet_batches(parquet: Any, table: TableFile) -> Iterator[Batch]:
    first = 1
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        columns = [_parquet_text(column) for column in batch.columns]
        cells = pa.RecordBatch.from_arrays(columns, names=table.names)
        lines = pa.array(range(first, first + batch.num_rows), pa.int64())
        first += batch.num_rows
        cells, lines = _text_cells(cells, lines, _rejecter(table))
        yield Batch(cells, lines)


def _parquet_text(column: pa.Array) -> pa.Array:
    if pa.types.is_nested(column.type):
        return pa.array([_json_text(v) for v in column.to_pylist()], pa.string())
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        return column.cast(pa.binary()).fill_null(b"")
    return column.cast(pa.string()).fill_null("")


def _rejecter(table: TableFile) -> RowRejecter:
    def reject(line: int, reason: str, cells: list[Any]) -> None:
        values = _texts(cells)
        raw = json.dumps(dict(zip(table.header, values, strict=False)), ensure_ascii=False)
        table.rejections.append(Rejected(table.label, line, reason, None, raw))

    return reject


def _batched(table: TableFile, rows: Iterator[tuple[int, list[str]]]) -> Iterator[Batch]:
    """Python rows (line, cells) as batches of BATCH_ROWS."""
    width = len(table.header)
    while True:
        block = [row for _, row in zip(range(BATCH_ROWS), rows, strict=False)]
        if not block:
            return
        cells = [
            pa.array([(row[i] if i < len(row) else "") for _, row in block], pa.string())
            for i in range(width)
        ]
        batch = pa.RecordBatch.from_arrays(cells, names=table.names)
        lines = pa.array([line for line, _ in block], pa.int64())
        batch, lines = _text_cells(batch, lines, _rejecter(table))
        yield Batch(batch, lines)


def _fields(count: int) -> str:
    return "1 field" if count == 1 else f"{count} fields"
