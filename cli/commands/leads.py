"""`oad leads`: from matched debtors to the titles and companies they hold or control."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.common import open_store
from cli.output import UserError, echo


@click.group(name="leads")
def command() -> None:
    """Leads: chains from a debtor's matches to property titles and controlled companies.

    \b
    Example:
      oad leads build && oad leads list --min-confidence 0.5
    """


@command.command(name="build")
@click.option(
    "--depth", type=click.IntRange(1, 8), default=4, show_default=True,
    help="Hops to follow after the match.",
)  # fmt: skip
@click.option(
    "--min-match", type=click.FloatRange(0, 1), default=0.5, show_default=True,
    help="Matches below this probability start no chain (confirmed ones are 1).",
)  # fmt: skip
@click.option(
    "--full", is_flag=True,
    help="Build everything again, not only what changed since the last build.",
)  # fmt: skip
@click.pass_context
def build(ctx: click.Context, depth: int, min_match: float, full: bool) -> None:
    """Rebuild the edges, the links between sources' records of one company, and the leads.

    A rebuild keeps each lead's id (from its debtor, target and path); a lead whose hops or
    target changed is marked changed, one no longer found is kept as gone. After a first
    build, only what changed since is redone (the same result as --full, sooner): the edges of
    changed relationships, the links when a company record changed, the walks of the debtors
    those changes can reach; other debtors' leads read unchanged. Other --depth or --min-match
    than the last build's build everything again.

    \b
    Example:
      oad leads build --depth 4
      oad leads build --full
    """
    from pipelines.leads.run import run_leads
    from pipelines.leads.walk import WalkLimits

    with open_store(ctx) as store:
        built = run_leads(store, WalkLimits(depth=depth, min_match=min_match), full=full)
    echo(built.summary())


@command.command(name="list")
@click.option("--debtor", help="Only this debtor's leads.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--changed", is_flag=True, help="Only leads that changed at the last build.")
@click.option("--gone", is_flag=True, help="Also leads no longer found.")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.pass_context
def list_leads(
    ctx: click.Context, debtor: str | None, min_confidence: float, changed: bool, gone: bool,
    limit: int,
) -> None:  # fmt: skip
    """The leads, each debtor's best first (confidence times value where known).

    \b
    Example:
      oad leads list --debtor D001 --min-confidence 0.3
    """
    from pipelines.leads.report import lead_lines

    with open_store(ctx, read_only=True) as store:
        for line in lead_lines(store.con, debtor, min_confidence, changed, gone, limit):
            echo(line)


@command.command(name="show")
@click.argument("lead_id")
@click.pass_context
def show(ctx: click.Context, lead_id: str) -> None:
    """One lead's chain: each hop, its certainty and why, its source record and fetch time.

    \b
    Example:
      oad leads show 3f2a9c1b7d4e
    """
    from pipelines.leads.report import lead_chain

    with open_store(ctx, read_only=True) as store:
        lines = lead_chain(store.con, lead_id)
    if lines is None:
        raise UserError(f"no single lead whose id starts with {lead_id!r}")
    for line in lines:
        echo(line)


@command.command(name="graph")
@click.argument("debtor_id")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def graph(ctx: click.Context, debtor_id: str, out_path: Path) -> None:
    """Draw a debtor's chains as a graph: one standalone HTML file, nothing fetched to open it.

    \b
    Example:
      oad leads graph D001 --out d001-leads.html
    """
    from pipelines.leads.graph import debtor_graph_html
    from pipelines.written import text_file

    with open_store(ctx, read_only=True) as store:
        page = debtor_graph_html(store.con, debtor_id)
    if page is None:
        raise UserError(f"debtor {debtor_id} has no live lead (run `oad leads build` first)")
    with text_file(out_path, newline="\n") as handle:
        handle.write(page)
    echo(f"wrote {out_path}")
