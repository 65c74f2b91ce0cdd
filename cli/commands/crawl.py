"""`oad crawl SOURCE`: fetch one public source into the store (each crawl in its own process)."""

from __future__ import annotations

from pathlib import Path

import click

from cli.output import UserError, echo
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
    "--accept-removals",
    is_flag=True,
    help="Apply a full dataset however many rows it no longer holds (a crawl that would mark"
    " more than the dataset's share removed is otherwise held, and changes nothing).",
)
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
    accept_removals: bool,
    merge_wait: float,
    args: tuple[str, ...],
    settings: tuple[str, ...],
) -> None:
    """Crawl SOURCE (a spider: gb_land_registry, gb_companies_house, gleif, icij_offshore_leaks,
    hk_companies_registry, sg_acra) into the store, then print the crawl's counts.

    Records, relationships and assets are merged when the crawl ends well: a rerun over
    unchanged data changes nothing, and rows gone from a full source are marked removed. The
    store stays free for other commands while the crawl fetches; it is written only at the end.
    A crawl that would mark more than a tenth (the dataset's removal_guard) of a source's live
    rows removed is held instead: nothing changes until it is run with --accept-removals. Exit
    status: 0 finished, 1 failed, 3 paused (run again with the same --jobdir), 4 held.

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
            accept_removals=accept_removals, wait=options["wait"], merge_wait=merge_wait,
            progress=progress_for(ctx),
        )  # fmt: skip
    except OadError as error:
        raise UserError(str(error)) from None
    echo(outcome.summary())
    if outcome.exit_code:
        raise click.exceptions.Exit(outcome.exit_code)
