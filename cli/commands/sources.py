"""`oad sources check`: what each source's index lists now, before anything is crawled."""

from __future__ import annotations

from pathlib import Path

import click

from cli.output import echo


@click.group(name="sources")
def command() -> None:
    """The public sources oad crawls: ask their publishers what they list now.

    \b
    Example:
      oad sources check gb_land_registry
    """


@command.command(name="check")
@click.argument("source", required=False)
@click.option("--dataset", help="Only this dataset of SOURCE.")
@click.option("--base-url", help="Ask this URL instead of the production one.")
@click.option(
    "--serve",
    "serve_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve DIR on 127.0.0.1 and ask DIR/SOURCE (recorded responses).",
)
@click.option("--timeout", type=click.FloatRange(1), default=30.0, show_default=True)
@click.pass_context
def check(
    ctx: click.Context,
    source: str | None,
    dataset: str | None,
    base_url: str | None,
    serve_dir: Path | None,
    timeout: float,
) -> None:
    """Ask each dataset's index (the publisher's listing page or API, never the large files)
    which files a crawl would fetch now, how big they are, and what changed since the store's
    last crawl. Keys come from the same environment variables as crawls. Exit status 1 when an
    index could not be read.

    \b
    Example:
      oad sources check
      oad sources check gb_companies_house --dataset psc
      oad sources check --serve tests/spiders/fixtures
    """
    from spiders.check import check_sources  # Scrapy loads only when asked

    options = ctx.find_root().obj or {}
    checked = check_sources(options.get("db_path"), source, dataset, base_url, serve_dir, timeout)
    for result in checked:
        for line in result.lines():
            echo(line)
    if any(result.error for result in checked):
        raise click.exceptions.Exit(1)
