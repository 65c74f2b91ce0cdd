"""`oad runs`: the history of match and leads runs (and the flows that run them)."""

from __future__ import annotations

import click

from cli.commands.common import open_store
from cli.output import UserError, echo


@click.group(name="runs")
def command() -> None:
    """Run history: when each match, leads or discovery run ran, how long, and what it did.

    \b
    Example:
      oad runs list --kind leads --limit 5
    """


@command.command(name="list")
@click.option("--kind", help="Only runs of this kind (match, leads, ...).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.pass_context
def list_runs(ctx: click.Context, kind: str | None, limit: int) -> None:
    """The newest runs first: id, kind, status, start (UTC), duration and what each did.

    \b
    Example:
      oad runs list --kind match
    """
    from pipelines.run_history import duration, recent_runs, stats_summary

    with open_store(ctx, read_only=True) as store:
        runs = recent_runs(store.con, kind, limit)
    if not runs:
        echo("no runs yet" + (f" of kind {kind}" if kind else ""))
        return
    echo(f"{'run':>6}  {'kind':<10} {'status':<9} {'started (UTC)':<19}  {'took':>12}  what it did")
    for run in runs:
        echo(
            f"{run.run_id:>6}  {run.kind:<10} {run.status:<9} {run.started_at:%Y-%m-%d %H:%M:%S}"
            f"  {duration(run):>12}  {stats_summary(run)}"
        )


@command.command(name="show")
@click.argument("run_id", type=int)
@click.pass_context
def show(ctx: click.Context, run_id: int) -> None:
    """One run: its start and end, its parameters and stats as JSON, and why it failed if it did.

    \b
    Example:
      oad runs show 12
    """
    from pipelines.run_history import one_run, run_lines

    with open_store(ctx, read_only=True) as store:
        run = one_run(store.con, run_id)
    if run is None:
        raise UserError(f"there is no run {run_id} (`oad runs list` shows the runs there are)")
    for line in run_lines(run):
        echo(line)
