"""`oad evaluate --plot` on a store with no matches yet, and a plot that fails to write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import REPO


@pytest.fixture
def labels(oad: Callable[..., Result], tmp_path: Path) -> Path:
    """Labels for a store holding the sample's debtors, not yet matched."""
    oad("debtors", "import", str(REPO / "data" / "sample" / "debtors.csv"))
    path = tmp_path / "labels.csv"
    path.write_text(
        "debtor_id,source,source_id,is_match\nD016,gleif,836800FXO82WAQQSJI94,1\n",
        encoding="utf-8",
    )
    return path


def test_no_scored_pair_gives_empty_bands_and_still_a_plot(
    oad: Callable[..., Result], labels: Path, tmp_path: Path
) -> None:
    plot = tmp_path / "plots" / "quality.html"
    hostile = labels.rename(tmp_path / "<b>labels.csv")  # its name is in the page's title
    out = oad("evaluate", str(hostile), "--plot", str(plot)).output
    rows = [line.split() for line in out.splitlines() if line.startswith("  [")]
    assert len(rows) == 10 and all(row[2:] == ["0", "-", "-"] for row in rows)
    assert rows[0][:2] == ["[0.0,", "0.1)"] and rows[-1][:2] == ["[0.9,", "1.0]"]
    page = plot.read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "1 labelled debtors, 1 true pairs" in page
    assert "&lt;b&gt;labels.csv" in page and "<b>" not in page


def test_a_plot_that_fails_to_write_leaves_the_earlier_file_whole(
    oad: Callable[..., Result], labels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plot = tmp_path / "quality.html"
    plot.write_text("the earlier plot", encoding="utf-8")

    def half_then_full(self: Path, text: str, encoding: str | None = None) -> int:
        with self.open("w", encoding=encoding) as handle:
            handle.write(text[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_full)
    result = oad("evaluate", str(labels), "--plot", str(plot), expect_exit=None)
    assert result.exit_code != 0
    assert plot.read_text(encoding="utf-8") == "the earlier plot"
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["labels.csv", "quality.html", "store.duckdb"]  # no temporary file
