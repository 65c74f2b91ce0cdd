"""Text encodings of table files: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Windows-1252
and Latin-1. One sniffer for debtor lists, record imports and downloaded files."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.text import is_chinese_text

CHUNK = 1 << 20
# a few bad rows do not make a file something else: a run of bytes that fails to decode is
# forgiven where this many characters beyond ASCII decode well for each such run (the rows
# holding them are refused one by one); text in another encoding has few or none that do
TOLERATED = 10
_FAILED_RUN = re.compile("\ufffd+")


def sniff_encoding(chunks: Iterable[bytes]) -> str:
    return sniff(chunks)[0]


def sniff(chunks: Iterable[bytes]) -> tuple[str, bool]:
    """The encoding of the bytes CHUNKS (a whole file, or the head of a download), most
    specific first: a BOM's; UTF-8 when it decodes as such; GB18030 when it decodes and reads as
    Chinese (it decodes many Latin-1 byte pairs too: "Müller"); else Windows-1252, and Latin-1,
    which decodes anything. The flag says whether every byte decoded as UTF-8 (BOM or not)."""
    chunks = iter(chunks)
    head = next(chunks, b"")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    tallies = {"utf-8": _Tally("utf-8"), "gb18030": _Tally("gb18030")}
    for chunk in (head, *chunks, b""):  # b"": the end, where a cut-off character fails
        for tally in tallies.values():
            tally.add(chunk)
    clean = tallies["utf-8"].failures == 0
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", clean
    if tallies["utf-8"].decodes():
        return "utf-8", clean
    if tallies["gb18030"].decodes() and _mostly_chinese(head.decode("gb18030", errors="ignore")):
        return "gb18030", False
    try:
        head.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", False
    return "cp1252", False


@dataclass
class _Tally:
    """How much of a stream decodes in one encoding: characters beyond ASCII, and failures."""

    encoding: str
    wide: int = 0
    failures: int = 0

    def __post_init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")

    def add(self, chunk: bytes) -> None:
        # ASCII reads the same in UTF-8 and GB18030: a chunk of it after a whole character
        # needs no decoding (most of a foreign register's file)
        if chunk and chunk.isascii() and not self._decoder.getstate()[0]:
            return
        text = self._decoder.decode(chunk, final=not chunk)
        self.failures += len(_FAILED_RUN.findall(text))
        self.wide += sum(1 for char in text if ord(char) > 0x7F) - text.count("\ufffd")

    def decodes(self) -> bool:
        return self.failures == 0 or self.failures * TOLERATED <= self.wide


def _mostly_chinese(text: str) -> bool:
    wide = [char for char in text if ord(char) > 0x7F]
    return not wide or sum(map(is_chinese_text, wide)) >= 0.8 * len(wide)


def decodes(chunks: Iterable[bytes], encoding: str) -> bool:
    """Whether the bytes CHUNKS are text in ENCODING, a few bad rows aside."""
    tally = _Tally(encoding)
    for chunk in (*chunks, b""):
        tally.add(chunk)
    return tally.decodes()


def checked_name(encoding: str) -> str:
    """The codec name of a user-named ENCODING; LookupError for one Python does not know."""
    return codecs.lookup(encoding).name
