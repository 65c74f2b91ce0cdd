"""CSV bytes cut into chunks of whole rows, with each row's first line and number of fields.

Row ends and field separators are found with numpy: a line end or delimiter counts only outside
quotes, which is where the number of quote characters before it is even (a doubled quote inside
a quoted cell adds two). Knowing every row of a chunk lets pyarrow parse the chunk on every core
while each row keeps the line it starts on, and a malformed row is reported on its own line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np

from pipelines.errors import InputFileError

NEWLINE, QUOTE, CR = 10, 34, 13
BLOCK_BYTES = 8 << 20
MAX_ROW_BYTES = 64 << 20


@dataclass(frozen=True)
class Rows:
    """The rows of one chunk: byte offsets and first lines (in the file)."""

    starts: np.ndarray
    ends: np.ndarray  # just past each row's line end
    lines: np.ndarray
    blank: np.ndarray  # an empty line ("\n" or "\r\n"), which is no row


@dataclass(frozen=True)
class Chunk:
    data: bytes  # whole rows
    line: int  # the line the first starts on
    last: bool  # the end of the file
    lines: int  # line ends in it
    lone_returns: int  # of them, carriage returns alone (old Mac files)


def count_lines(text: bytes) -> tuple[int, int]:
    """How many line ends TEXT holds (newlines, and carriage returns alone), and how many of
    them are carriage returns alone."""
    newlines = text.count(b"\n")
    if b"\r" not in text:
        return newlines, 0
    data = np.frombuffer(text, np.uint8)
    returns = np.flatnonzero(data == CR)
    following = data[np.minimum(returns + 1, len(data) - 1)]
    alone = int(((following != NEWLINE) | (returns + 1 == len(data))).sum())
    return newlines + alone, alone


def line_ends(data: np.ndarray) -> np.ndarray:
    """Offsets of the bytes that end lines, as CSV parsers read them."""
    newlines = np.flatnonzero(data == NEWLINE)
    returns = np.flatnonzero(data == CR)
    if not len(returns):
        return newlines
    following = data[np.minimum(returns + 1, len(data) - 1)]
    alone = returns[(following != NEWLINE) | (returns + 1 == len(data))]
    return np.union1d(newlines, alone) if len(alone) else newlines


def _outside_quotes(data: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The POSITIONS with an even number of quote characters before them."""
    quotes = np.flatnonzero(data == QUOTE)
    if not len(quotes):
        return positions
    before = np.searchsorted(quotes, positions)
    kept: np.ndarray = positions[(before & 1) == 0]
    return kept


def row_ends(data: np.ndarray) -> np.ndarray:
    """Offsets of the line ends that end rows (outside quotes)."""
    return _outside_quotes(data, line_ends(data))


def scan(chunk: bytes, first_line: int) -> Rows:
    """The rows of CHUNK (whole rows, the last perhaps without a line end), the first starting
    on line FIRST_LINE."""
    data = np.frombuffer(chunk, np.uint8)
    breaks = line_ends(data)
    ends = _outside_quotes(data, breaks) + 1
    if len(chunk) and (not len(ends) or ends[-1] != len(chunk)):
        ends = np.append(ends, len(chunk))
    starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
    lines = first_line + np.searchsorted(breaks, starts)
    return Rows(starts, ends, lines, _blank(data, starts, ends))


def field_counts(chunk: bytes, rows: Rows, delimiter: str) -> np.ndarray:
    """Per row, its number of fields: one more than its delimiters outside quotes, which are
    all of them less those inside each quoted span (consecutive pairs of quote characters),
    found by searching sorted positions rather than by walking every byte."""
    data, ends = np.frombuffer(chunk, np.uint8), rows.ends
    separators = np.flatnonzero(data == ord(delimiter))
    before_end = np.searchsorted(separators, ends)
    counts = np.diff(np.concatenate([[0], before_end]))
    quotes = np.flatnonzero(data == QUOTE)
    if len(quotes) >= 2:
        opens, closes = quotes[0 : len(quotes) - 1 : 2], quotes[1::2]
        inside = np.searchsorted(separators, closes) - np.searchsorted(separators, opens)
        owner = np.searchsorted(ends, opens, side="right")
        quoted = np.bincount(owner, weights=inside, minlength=len(ends))[: len(ends)]
        counts -= quoted.astype(np.int64)
    found: np.ndarray = counts + 1
    return found


def _blank(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    if not len(ends):
        return np.zeros(0, bool)
    last = data[ends - 1]
    content = ends - starts - ((last == NEWLINE) | (last == CR))
    before = data[np.maximum(ends - 2, 0)]
    content -= (last == NEWLINE) & (content > 0) & (before == CR)
    blank: np.ndarray = content == 0
    return blank


def _last_row_end(carry: bytes) -> int:
    """Where the last whole row of CARRY ends (just past its line end), or -1 for none yet.
    A carriage return at the very end may be half of a line end the next block completes."""
    position = len(carry) - 1 if carry.endswith(b"\r") else len(carry)
    end_byte = b"\n" if b"\n" in carry else b"\r"
    while (position := carry.rfind(end_byte, 0, position)) >= 0:
        if carry.count(b'"', 0, position) % 2 == 0:
            return position + 1
    return -1


def chunks(stream: IO[bytes], head: bytes, first_line: int, label: str) -> Iterator[Chunk]:
    """Chunks of whole rows from HEAD followed by the rest of STREAM; HEAD starts at a row's
    beginning."""
    carry = head
    line = first_line
    while True:
        block = stream.read(BLOCK_BYTES)
        carry += block
        if not block:
            if carry:
                yield Chunk(carry, line, True, *count_lines(carry))
            return
        cut = _last_row_end(carry)
        if cut < 0:
            if len(carry) > MAX_ROW_BYTES:
                raise InputFileError(
                    label, f"a row is longer than {MAX_ROW_BYTES >> 20} MB", line=line
                )
            continue
        chunk = Chunk(carry[:cut], line, False, *count_lines(carry[:cut]))
        carry = carry[cut:]
        yield chunk
        line += chunk.lines


def header_end(head: bytes) -> int:
    """Bytes taken by the header row (with its line end), which may span lines."""
    ends = row_ends(np.frombuffer(head, np.uint8))
    return int(ends[0]) + 1 if len(ends) else len(head)


def sniff_delimiter(header: bytes) -> str:
    """The separator the header row uses most, outside quotes: comma, tab, semicolon or pipe."""
    data = np.frombuffer(header, np.uint8)
    counts = {
        candidate: len(_outside_quotes(data, np.flatnonzero(data == ord(candidate))))
        for candidate in ",\t;|"
    }
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","
