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
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from pipelines import csv_chunks
from pipelines.byte_streams import Counted, Utf8
from pipelines.encoding import CHUNK, checked_name, decodes, sniff, sniff_encoding
from pipelines.errors import InputFileError
from pipelines.progress import QUIET, Progress
from pipelines.rejections import Rejected

if TYPE_CHECKING:
    import pyarrow as pa

    from pipelines.text_cells import Batch

MAX_CELL_BYTES = 1 << 20  # a larger cell is no value a register publishes: its row is refused
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".xlsx")
_ZIP, _OLE, _PARQUET = b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1"
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
Source = Path | bytes  # a file on disk, or a download (or zip member) held in memory


@dataclass
class TableFile:
    label: str  # the file, or URL, with '#member' for a zip member
    format: str  # 'csv', 'xlsx', 'jsonl' or 'parquet'
    header: list[str]
    encoding: str | None
    batches: Iterator[Batch]
    rejections: list[Rejected] = field(default_factory=list)  # grows as batches are read
    failure: InputFileError | None = None  # why reading stopped short, for an Arrow stream
    delimiter: str = ","  # of a CSV file
    native: NativeCsv | None = None  # a CSV file DuckDB may parse itself

    @property
    def names(self) -> list[str]:
        return column_names(len(self.header))

    def schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema([(name, pa.string()) for name in self.names] + [("line", pa.int64())])

    def arrow_reader(self) -> pa.RecordBatchReader:
        """The rows as one Arrow stream of the text columns and `line`. An error in reading
        ends the stream and is kept in `failure`: call `check()` once it has been read."""
        import pyarrow as pa

        return pa.RecordBatchReader.from_batches(self.schema(), self._stream())

    def _stream(self) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

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
        survey = _Survey(_chunks_of(path))
        chosen, clean = sniff(survey)
        progress.stage(f"read {path.name}", path.stat().st_size, "bytes")
        stream = io.BufferedReader(Counted(path.open("rb"), progress))
        table = read_csv(stream, str(path), named or chosen)
        if clean and survey.plain and codecs.lookup(named or chosen).name.startswith("utf-8"):
            table.native = NativeCsv(path, table.delimiter, len(table.header))
        return table
    return _open(kind, path, str(path), encoding, sheet)


class _Survey:
    """A file's chunks on their way to the encoding sniffer, looked over for what DuckDB's
    own CSV parser reads otherwise than this module (a NUL, a carriage return alone)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self.plain = True

    def __iter__(self) -> Iterator[bytes]:
        last = b""
        for chunk in self._chunks:
            if self.plain and (b"\x00" in chunk or _lone_return(last[-1:] + chunk)):
                self.plain = False
            last = chunk
            yield chunk


def _lone_return(chunk: bytes) -> bool:
    """A carriage return not followed by a newline (one at the very end is given the benefit of
    the doubt: its newline may begin the next chunk)."""
    returns = chunk.count(b"\r")
    if not returns or returns == chunk.count(b"\n"):  # none, or \r\n line ends throughout
        return False
    data = np.frombuffer(chunk, np.uint8)
    at = np.flatnonzero(data[:-1] == csv_chunks.CR)
    return bool((data[at + 1] != csv_chunks.NEWLINE).any())


@dataclass(frozen=True)
class NativeCsv:
    """A CSV file DuckDB may parse itself for a bulk load: UTF-8 throughout, no NUL, no carriage
    return alone. Its parser is strict and stops at any row it would read otherwise than this
    module; a load that finds one reads the file again with this module, so that every verdict
    on a row is this module's."""

    path: Path
    delimiter: str
    width: int
    MAX_LINE = MAX_CELL_BYTES  # a longer line goes to this module, which judges its cells

    def variables(self) -> dict[str, Any]:
        return {
            "oad_csv_path": str(self.path),
            "oad_csv_delimiter": self.delimiter,
            "oad_csv_names": column_names(self.width),
        }

    @staticmethod
    def scan_sql() -> str:
        """A trusted SQL table function over the file, its arguments read from the variables
        (a view cannot take a statement's parameters); refused rows go to `oad_csv_rejects`."""
        return (
            "read_csv(getvariable('oad_csv_path'), header = true, all_varchar = true,"
            " names = getvariable('oad_csv_names'), delim = getvariable('oad_csv_delimiter'),"
            " quote = '\"', escape = '\"', strict_mode = true, null_padding = false,"
            f" max_line_size = {NativeCsv.MAX_LINE}, store_rejects = true,"
            " rejects_table = 'oad_csv_rejects', rejects_scan = 'oad_csv_scans')"
        )


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
    from pipelines import table_formats  # here: a CSV file needs none of them

    if kind == "xlsx":
        return table_formats.read_xlsx(source, label, sheet)
    if kind == "jsonl":
        return table_formats.read_jsonl(source, label, _encoding(encoding, label) or "utf-8")
    return table_formats.read_parquet(source, label)


# CSV ---------------------------------------------------------------------------------------


def read_csv(stream: IO[bytes], label: str, encoding: str) -> TableFile:
    """A CSV stream in ENCODING: its header row (which may span lines) and its rows in
    batches; the stream is closed when the last batch has been read."""
    head = stream.read(CHUNK)
    name = codecs.lookup(encoding).name
    if name.startswith("utf-16"):  # not ASCII-compatible: read it as UTF-8
        stream = io.BufferedReader(Utf8(stream, head, encoding))
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
    table.delimiter = delimiter
    first_line = 1 + csv_chunks.count_lines(header_bytes)[0]
    table.batches = _csv_batches(table, name, stream, head[end:], first_line)
    return table


def _csv_batches(
    table: TableFile, encoding: str, stream: IO[bytes], rest: bytes, first_line: int
) -> Iterator[Batch]:
    """The rows, in batches read by pyarrow (imported only once a batch is asked for: a load
    that leaves parsing to DuckDB never asks)."""
    from pipelines.csv_batches import CsvReading

    yield from CsvReading(table, encoding, table.delimiter).batches(stream, rest, first_line)
