"""`oad evaluate`: precision, recall, ranking quality and calibration against labelled pairs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.commands.common import open_store
from cli.output import echo

if TYPE_CHECKING:
    from matching.evaluate import Evaluation


@click.command(name="evaluate")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.9, show_default=True)
@click.option(
    "--plot", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write this HTML file: the reliability diagram beside the precision-recall curve.",
)  # fmt: skip
@click.pass_context
def command(ctx: click.Context, labels: Path, threshold: float, plot: Path | None) -> None:
    """Score the current matches against LABELS.csv (debtor_id, source, source_id, is_match).

    Every candidate of a labelled debtor that is not labelled true counts as false. The
    calibration table lists every probability band: its pairs, their mean probability and
    the share of them that are true (a dash when the band holds no pair).

    \b
    Example:
      oad evaluate tests/data/matching/labels.csv --threshold 0.9 --plot quality.html
    """
    from matching.evaluate import evaluate

    with open_store(ctx, read_only=True) as store:
        result = evaluate(store.con, labels, threshold)
    echo(_figures(result))
    if plot is not None:
        _write_plot(plot, result, labels)
        echo(f"wrote {plot}")


def _figures(result: Evaluation) -> str:
    from matching.calibration_table import band_cells

    rows = [
        f"  {label:<11} {pairs:>7} {mean:>7} {observed:>9}"
        for label, pairs, mean, observed in map(band_cells, result.calibration)
    ]
    return "\n".join([
        f"labelled debtors {result.labelled_debtors}, true pairs {result.true_pairs}",
        f"at threshold {result.threshold}: {result.predicted_links} links, "
        f"precision {result.precision:.3f}, recall {result.recall:.3f}, F1 {result.f1:.3f}",
        f"best F1 {result.best_f1:.3f} at threshold {result.best_threshold:.4f}",
        f"recall@1 {result.recall_at_1:.3f}, recall@10 {result.recall_at_10:.3f}",
        f"pairs completeness (blocking) {result.pairs_completeness:.3f}",
        "calibration, every candidate pair of the labelled debtors:",
        f"  {'band':<11} {'pairs':>7} {'mean p':>7} {'observed':>9}",
        *rows,
    ])  # fmt: skip


def _write_plot(path: Path, result: Evaluation, labels: Path) -> None:
    from matching.evaluation_plot import evaluation_html
    from pipelines.exports.files import written_whole

    page = evaluation_html(result, labels.name, dt.datetime.now(dt.UTC))
    with written_whole([path]) as (staged,):
        staged.write_text(page, encoding="utf-8")
