"""Bulk CSV reading: the line each row starts on, newlines inside quoted cells counted."""

from __future__ import annotations

import io

from spiders.tabular import read_csv


def lines_of(text: str, batch_bytes: int = 8 << 20) -> list[tuple[str, int]]:
    _, batches = read_csv(io.BytesIO(text.encode()), "f.csv", "utf-8", batch_bytes)
    found = []
    for columns in batches:
        keys = columns.batch.column(0).to_pylist()
        found += list(zip(keys, columns.lines.to_pylist(), strict=True))
    return found


def test_rows_start_on_their_lines() -> None:
    text = 'id,name,note\n1,A,\n2,"TWO\nLINES",x\n3,C,"and\nthree\nmore"\n4,D,\n'
    assert lines_of(text) == [("1", 2), ("2", 3), ("3", 5), ("4", 8)]


def test_lines_without_any_newline_in_a_cell() -> None:
    text = "id,name\n" + "".join(f"{i},N{i}\n" for i in range(1, 2001))
    found = lines_of(text, batch_bytes=4096)
    assert found[0] == ("1", 2) and found[-1] == ("2000", 2001)
    assert [line for _, line in found] == list(range(2, 2002))
