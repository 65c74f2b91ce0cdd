from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import encoding
from pipelines.encoding import detect_encoding

TEXT = "source_id,name\n1,中華汽車服務有限公司 CHUNG WAH\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"ab,cd\n" * 8, "utf-8"),
        (TEXT.encode("utf-8") + b"x,y\n" * 8, "utf-8"),
        # a character cut between two reads, the next read all ASCII
        (b"ab" + "中".encode() + b"cd" * 8, "utf-8"),
        ((TEXT * 3).encode("gb18030") + b"abc" * 8, "gb18030"),
    ],
)
def test_detection_reads_every_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, expected: str
) -> None:
    """Small reads put characters across chunk boundaries; ASCII chunks are passed over
    only between whole characters."""
    monkeypatch.setattr(encoding, "_CHUNK", 4)
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert detect_encoding(path) == expected


def test_ascii_read_inside_a_character_is_still_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UTF-8's lead byte, four ASCII bytes, then the character's continuation bytes: not
    UTF-8, though the pieces on either side of the ASCII read would make a character."""
    monkeypatch.setattr(encoding, "_CHUNK", 4)
    path = tmp_path / "f.csv"
    lead, *rest = "中".encode()
    path.write_bytes(bytes([*b"abc", lead]) + b"defg" + bytes(rest) + b"hi\n")
    assert detect_encoding(path) != "utf-8"
