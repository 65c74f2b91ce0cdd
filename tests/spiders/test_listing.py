"""Sizes as publishers' listings print them, and `oad sources check` over sources that have no
index or cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.check import check_sources
from spiders.listing import size_in_bytes


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("BasicCompanyData-2025-01-01-part1_7.zip (70Mb)", 70 << 20),
        ("1.5 GB", int(1.5 * (1 << 30))),
        ("345 KB", 345 << 10),
        ("(4Kb)", 4 << 10),
        ("12,345 bytes", 12345),
        ("2 MiB", 2 << 20),
        ("no size here", None),
        ("", None),
    ],
)
def test_sizes_as_listings_print_them(text: str, size: int | None) -> None:
    assert size_in_bytes(text) == size


def test_a_dataset_without_an_index_and_an_index_that_cannot_be_reached(tmp_path: Path) -> None:
    fixed = check_sources(tmp_path / "s.duckdb", "records_feed", base_url="http://127.0.0.1:9")
    assert [line for result in fixed for line in result.lines()] == [
        "records_feed file: no index to ask (fixed files or a paged API)"
    ]
    gone = check_sources(tmp_path / "s.duckdb", "gleif", "golden_copy", "http://127.0.0.1:9")
    assert gone[0].error is not None and "cannot reach it" in gone[0].error
    assert not (tmp_path / "s.duckdb").exists()  # asking writes nothing
