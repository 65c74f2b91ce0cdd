"""`oad pool deploy`: the crawl flow as a deployment of a Prefect work pool."""

from __future__ import annotations

import click

from cli.commands.common import run_flows
from pipelines.config import CRAWL_DEPLOYMENT


@click.group(name="pool")
def command() -> None:
    """Crawls spread over the workers of a Prefect work pool (docs/flows.md).

    \b
    Example:
      oad pool deploy --pool crawlers
    """


@command.command(name="deploy")
@click.option("--pool", required=True, help="The process work pool (made when missing).")
@click.option("--name", default=CRAWL_DEPLOYMENT, show_default=True, help="The deployment.")
@click.pass_context
def deploy(ctx: click.Context, pool: str, name: str) -> None:
    """Deploy the crawl flow to POOL, for `[crawl] pool` in the configuration.

    Needs a Prefect server (PREFECT_API_URL). Then start workers with Prefect's own command;
    each runs the crawls from this checkout.

    \b
    Example:
      oad pool deploy --pool crawlers
      prefect worker start --pool crawlers --limit 2
    """
    ctx.exit(run_flows(ctx, ["deploy-crawls", "--pool", pool, "--name", name]))
