"""`oad evaluate`: precision, recall and ranking quality against labelled pairs."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.common import open_store
from cli.output import echo


@click.command(name="evaluate")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.9, show_default=True)
@click.pass_context
def command(ctx: click.Context, labels: Path, threshold: float) -> None:
    """Score the current matches against LABELS.csv (debtor_id, source, source_id, is_match).

    Every candidate of a labelled debtor that is not labelled true counts as false.

    \b
    Example:
      oad evaluate tests/data/matching/labels.csv --threshold 0.9
    """
    from matching.evaluate import evaluate

    with open_store(ctx, read_only=True) as store:
        result = evaluate(store.con, labels, threshold)
    echo(
        f"labelled debtors {result.labelled_debtors}, true pairs {result.true_pairs}\n"
        f"at threshold {result.threshold}: {result.predicted_links} links, "
        f"precision {result.precision:.3f}, recall {result.recall:.3f}, F1 {result.f1:.3f}\n"
        f"best F1 {result.best_f1:.3f} at threshold {result.best_threshold:.4f}\n"
        f"recall@1 {result.recall_at_1:.3f}, recall@10 {result.recall_at_10:.3f}\n"
        f"pairs completeness (blocking) {result.pairs_completeness:.3f}"
    )
