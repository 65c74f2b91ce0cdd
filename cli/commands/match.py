"""`oad match`: link foreign records to debtors."""

from __future__ import annotations

import click

from cli.commands.common import open_store
from cli.output import echo
from cli.progress import progress_for
from matching.engine import ENGINE_ENV, ENGINES, MASTER_ENV, engine_from
from matching.limits import DEFAULT_DENSE, DEFAULT_MAX_BLOCK


@click.command(name="match")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.9,
    show_default=True,
    help="Probability at or above which a candidate counts as a link.",
)
@click.option("--retrain", is_flag=True, help="Train a new model version instead of reusing one.")
@click.option(
    "--incremental",
    is_flag=True,
    help="Only pair records whose features changed since the last run (the daily case).",
)
@click.option(
    "--max-block",
    type=click.IntRange(1),
    default=DEFAULT_MAX_BLOCK,
    show_default=True,
    help="Skip a blocking key shared by more records than this.",
)
@click.option(
    "--nearest",
    type=click.IntRange(0),
    default=DEFAULT_DENSE,
    show_default=True,
    help="Records a company debtor also takes as candidates by the name encoder's nearest; "
    "0 leaves them out (faster, and finds less: docs/measurements.md).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help="Where features are computed and pairs scored: duckdb (this process, the default; "
    f"{ENGINE_ENV}) or spark (docs/scale.md).",
)
@click.option(
    "--spark-master",
    default=None,
    metavar="URL",
    help=f"With --engine spark: the cluster (spark://host:7077); {MASTER_ENV}, else local[2].",
)
@click.pass_context
def command(
    ctx: click.Context,
    threshold: float,
    retrain: bool,
    incremental: bool,
    max_block: int,
    nearest: int,
    engine: str | None,
    spark_master: str | None,
) -> None:
    """Match every debtor against the store's records and write the scored candidates.

    Identifier links (a GLEIF record whose registeredAs is the debtor's USCC, an LEI the bank
    holds) are certain. Other candidates come from cross-script name keys and are scored by the
    linkage model (trained on first use, then reused by version). Investigators' decisions are
    applied: a rejected pair never comes back; a confirmed one stays.

    \b
    Example:
      oad match
      oad match --threshold 0.95 --incremental
      oad match --nearest 0
      oad match --engine spark --spark-master spark://10.0.0.5:7077
    """
    from matching.limits import Limits
    from matching.run import run_matching  # imported here so that `oad --help` stays quick

    with open_store(ctx) as store:
        summary = run_matching(
            store, threshold=threshold, retrain=retrain, incremental=incremental,
            progress=progress_for(ctx), limits=Limits(max_block=max_block, dense=nearest),
            engine=engine_from(engine, spark_master),
        )  # fmt: skip
    trained = "trained" if summary.trained else "reused"
    echo(
        f"run {summary.run_id} on {summary.engine}: model {summary.model_version} ({trained}); "
        f"{summary.candidate_pairs} candidate pairs, {summary.scored_pairs} scored, "
        f"{summary.identifier_links} identifier links, {summary.links} links at >= "
        f"{summary.threshold}"
    )
    if summary.review_check:
        check = summary.review_check
        echo(
            f"the new model on the reviewed pairs at {check['threshold']}: it would link "
            f"{len(check['rejected_linked'])} of {check['rejected']} rejected, misses "
            f"{len(check['confirmed_missed'])} of {check['confirmed']} confirmed"
        )
    if summary.keys_skipped:
        echo(f"{summary.keys_skipped} blocking keys skipped as too common (--max-block)")
