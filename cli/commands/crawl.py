"""`oad crawl SOURCE`: fetch one public source into the store (each crawl in its own process)."""

from __future__ import annotations

from pathlib import Path

import click

from cli.progress import progress_for
from pipelines.errors import OadError


@click.command(name="crawl")
@click.argument("source")
@click.option("--dataset", help="Which of the source's datasets (default: its first).")
@click.option("--base-url", help="Fetch from this URL instead of the production one.")
@click.option(
    "--jobdir",
    type=click.Path(file_okay=False),
    help="Keep the crawl's state here: a stopped crawl resumes when run again with it.",
)
@click.option(
    "--serve",
    "serve_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve DIR on 127.0.0.1 (a free port) during the crawl and fetch from DIR/SOURCE"
    " instead of the production URL (recorded responses, the demo).",
)
@click.option("--http-cache", is_flag=True, help="Cache responses (for development).")
@click.option(
    "--merge-wait",
    type=click.FloatRange(0),
    default=600.0,
    show_default=True,
    help="Seconds the fetched rows wait for a store another command is writing.",
)
@click.option("-a", "--arg", "args", multiple=True, help="Spider argument NAME=VALUE.")
@click.option("-s", "--set", "settings", multiple=True, help="Scrapy setting NAME=VALUE.")
@click.pass_context
def command(
    ctx: click.Context,
    source: str,
    dataset: str | None,
    base_url: str | None,
    jobdir: str | None,
    serve_dir: Path | None,
    http_cache: bool,
    merge_wait: float,
    args: tuple[str, ...],
    settings: tuple[str, ...],
) -> None:
    """Crawl SOURCE (a spider: gb_land_registry, gb_companies_house, gleif, icij_offshore_leaks,
    hk_companies_registry, sg_acra) into the store, then print the crawl's counts.

    Records, relationships and assets are merged when the crawl ends well: a rerun over
    unchanged data changes nothing, and rows gone from a full source are marked removed. The
    store stays free for other commands while the crawl fetches; it is written only at the end.

    \b
    Example:
      oad crawl hk_companies_registry
      oad crawl gb_land_registry --dataset ocod_changes --jobdir .jobs/ocod
      oad crawl gleif --base-url http://127.0.0.1:8765/gleif
      oad crawl gleif --dataset golden_copy --serve data/sample/crawl
    """
    from spiders.runner import run_crawl  # imported here so that `oad --help` stays quick

    if serve_dir is not None and base_url:
        raise click.UsageError("give --serve or --base-url, not both")
    options = ctx.find_root().obj or {}
    try:
        outcome = run_crawl(
            source, dataset, options.get("db_path"), base_url=base_url, serve_dir=serve_dir,
            jobdir=jobdir, args=args, settings=settings, http_cache=http_cache,
            wait=options["wait"], merge_wait=merge_wait, progress=progress_for(ctx),
        )  # fmt: skip
    except OadError as error:
        raise click.ClickException(str(error)) from None
    click.echo(outcome.summary())
    if outcome.status != "finished":
        raise click.exceptions.Exit(3 if outcome.status == "paused" else 1)
