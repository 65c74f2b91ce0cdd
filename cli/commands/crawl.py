"""`oad crawl SOURCE`: fetch one public source into the store (each crawl in its own process)."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from pipelines.store import resolve_db_path
from spiders.localserver import LocalServer

# a local server needs no politeness: no delay between requests (-s options still win)
SERVED = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0"]


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
    args: tuple[str, ...],
    settings: tuple[str, ...],
) -> None:
    """Crawl SOURCE (a spider: gb_land_registry, gb_companies_house, gleif, icij_offshore_leaks,
    hk_companies_registry, sg_acra) into the store, then print the crawl's counts.

    Records, relationships and assets are merged when the crawl ends well: a rerun over
    unchanged data changes nothing, and rows gone from a full source are marked removed.

    \b
    Example:
      oad crawl hk_companies_registry
      oad crawl gb_land_registry --dataset ocod_changes --jobdir .jobs/ocod
      oad crawl gleif --base-url http://127.0.0.1:8765/gleif
      oad crawl gleif --dataset golden_copy --serve data/sample/crawl
    """
    if serve_dir is not None and base_url:
        raise click.UsageError("give --serve or --base-url, not both")
    db_path = str(resolve_db_path((ctx.find_root().obj or {}).get("db_path")))
    command_line = [sys.executable, "-m", "spiders.run", source, "--db", db_path]
    for flag, value in (("--dataset", dataset), ("--jobdir", jobdir)):
        if value:
            command_line += [flag, value]
    if http_cache:
        command_line.append("--http-cache")
    for value in args:
        command_line += ["-a", value]
    if serve_dir is not None:
        command_line += SERVED
    for value in settings:
        command_line += ["-s", value]
    # the server is a thread of this process: it stops with the crawl, whatever happens
    with LocalServer(serve_dir) if serve_dir is not None else nullcontext() as server:
        if server is not None:
            base_url = server.url(f"/{source}")
        if base_url:
            command_line += ["--base-url", base_url]
        finished = subprocess.run(command_line, stdout=subprocess.PIPE, text=True, check=False)
    outcome = _outcome(finished.stdout)
    if outcome is None:
        raise click.ClickException(f"crawl of {source} did not run (exit {finished.returncode})")
    click.echo(_summary(source, outcome))
    if finished.returncode:
        raise click.exceptions.Exit(finished.returncode)


def _outcome(stdout: str) -> dict[str, object] | None:
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def _summary(source: str, outcome: dict[str, object]) -> str:
    counts = ", ".join(
        f"{outcome.get(name)} {name}"
        for name in ("fetched", "new", "changed", "unchanged", "removed", "rejected")
    )
    text = f"{source}: crawl {outcome.get('crawl_id')} {outcome.get('status')}: {counts}"
    notes = json.loads(str(outcome["notes"])) if outcome.get("notes") else {}
    for error in notes.get("errors", []):
        text += f"\nerror: {error}"
    if notes.get("unused_columns"):
        unused = ", ".join(notes["unused_columns"])
        text += f"\ncolumns not used (kept in the raw payload): {unused}"
    return text
