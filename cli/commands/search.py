"""`oad search`: find debtors, records and assets by a name in any script or spelling, or an id."""

from __future__ import annotations

import click

from cli.commands.common import open_store
from cli.output import echo


@click.command(name="search")
@click.argument("query", required=False)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option(
    "--rebuild-index",
    is_flag=True,
    help="Bring the names' features up to date and write the search index again whole first.",
)
@click.pass_context
def command(ctx: click.Context, query: str | None, limit: int, rebuild_index: bool) -> None:
    """Print the debtors, records and assets best matching QUERY, each with why it matched.

    QUERY may be a name in Chinese (either script), pinyin (with or without tone marks or
    spaces), a Cantonese or English rendering, a company name, or an identifier (debtor id,
    USCC, LEI, company number, title number).

    \b
    Example:
      oad search 许家印
      oad search "Hui Ka Yan" --limit 5
      oad search --rebuild-index
    """
    from matching.search import search

    if rebuild_index:
        _rebuild(ctx)
    if not query:
        if not rebuild_index:
            raise click.UsageError("give a QUERY, or --rebuild-index")
        return
    with open_store(ctx, read_only=True) as store:
        hits = search(store.con, query, limit)
    if not hits:
        echo(f"nothing found for {query!r}")
    for rank, hit in enumerate(hits, 1):
        names = " / ".join(hit.names)
        echo(f"{rank:>3}. {hit.score:.3f}  {hit.kind} {hit.source} {hit.id}  {names}")
        echo(f"       {hit.why}")


def _rebuild(ctx: click.Context) -> None:
    from matching.features import refresh_features
    from matching.search_index import refresh_search_index

    with open_store(ctx) as store:
        refresh_features(store)
        with store.transaction() as con:
            counts = refresh_search_index(con, full=True)
        keys = store.scalar("SELECT count(*) FROM search_keys")
    echo(f"search index written: {counts.indexed:,} entities, {keys:,} keys")
