"""One encoding sniffer for whole files and for the heads of downloads."""

from __future__ import annotations

import codecs

import pytest

from pipelines.encoding import TOLERATED, sniff_encoding

TEXT = "source_id,name\n1,中華汽車服務有限公司 CHUNG WAH\n"


def pieces(content: bytes, size: int = 4) -> list[bytes]:
    """Small reads put characters across chunk boundaries."""
    return [content[i : i + size] for i in range(0, len(content), size)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"ab,cd\n" * 8, "utf-8"),
        (TEXT.encode("utf-8") + b"x,y\n" * 8, "utf-8"),
        # a character cut between two reads, the next read all ASCII
        (b"ab" + "中".encode() + b"cd" * 8, "utf-8"),
        ((TEXT * 3).encode("gb18030") + b"abc" * 8, "gb18030"),
        ("Müller Société GmbH\n".encode("cp1252"), "cp1252"),
        (b"abc\x8d\n", "latin-1"),  # a byte Windows-1252 leaves undefined
        (codecs.BOM_UTF8 + TEXT.encode(), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_detection_reads_every_chunk(content: bytes, expected: str) -> None:
    assert sniff_encoding(pieces(content)) == expected


def test_ascii_read_inside_a_character_is_still_decoded() -> None:
    """UTF-8's lead byte, four ASCII bytes, then the character's continuation bytes: not
    UTF-8, though the pieces on either side of the ASCII read would make a character."""
    lead, *rest = "中".encode()
    assert sniff_encoding([bytes([*b"abc", lead]), b"defg", bytes(rest) + b"hi\n"]) != "utf-8"


def test_a_few_bad_rows_do_not_make_a_file_something_else() -> None:
    good = ("1,深圳恒大科技有限公司\n" * TOLERATED).encode()
    assert sniff_encoding([good, b"2,\xff\xfe broken\n", good]) == "utf-8"
    assert sniff_encoding([b"2,\xff\xfe broken\n" * 10, good[:100]]) != "utf-8"
