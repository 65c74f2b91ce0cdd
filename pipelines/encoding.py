"""Text encodings of input files: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Latin-1."""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

from pipelines.errors import InputFileError

_CHUNK = 1 << 20


def detect_encoding(path: Path) -> str:
    """The encoding a whole file decodes with, most specific first.

    GB18030 decodes many Latin-1 byte pairs too ("Müller"), so it is taken only when what it
    decodes to is mostly Chinese; otherwise charset-normalizer decides.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "gb18030") and _mostly_chinese(path):
        return "gb18030"
    from charset_normalizer import from_path  # here: only files of no usual encoding need it

    guess = from_path(path).best()
    if guess is None:
        raise InputFileError(str(path), "not a text file in any known encoding (use --encoding)")
    return str(guess.encoding)


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                # ASCII reads the same in UTF-8 and GB18030: a chunk of it after a whole
                # character needs no decoding (most of a foreign register's file)
                if not (chunk.isascii() and not decoder.getstate()[0]):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_chinese(path: Path) -> bool:
    with path.open("rb") as handle:
        text = handle.read(_CHUNK).decode("gb18030", errors="ignore")
    non_ascii = [char for char in text if ord(char) > 0x7F]
    chinese = [char for char in non_ascii if _is_cjk(char)]
    return not non_ascii or len(chinese) >= 0.8 * len(non_ascii)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x3000 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def check_encoding(path: Path, encoding: str) -> str:
    """A user-named encoding, checked to exist and to decode the file."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputFileError(str(path), f"unknown encoding {encoding!r}") from None
    if not _decodes(path, name):
        raise InputFileError(str(path), f"does not decode as {encoding}")
    return name


def utf8_copy(path: Path, encoding: str) -> Path:
    """The file itself when it is UTF-8 already, else a UTF-8 copy in a temporary file."""
    if codecs.lookup(encoding).name == "utf-8":
        return path
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the caller deletes it
        "w", encoding="utf-8", suffix=path.suffix, delete=False, newline=""
    )
    with handle, path.open("r", encoding=encoding, newline="") as source:
        while chunk := source.read(_CHUNK):
            handle.write(chunk)
    return Path(handle.name)
