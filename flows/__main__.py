"""`python -m flows run|serve`: the discovery flow once (Prefect's ephemeral API, no server to
start) or served on a schedule against a Prefect server (PREFECT_API_URL). `oad run` and
`oad schedule` start this in a process of its own."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

# before Prefect is imported: its analytics off (they lock its SQLite file on small machines)
# and time for its ephemeral server to start on two busy cores, unless the user set them
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "deploy-crawls":
        from pipelines.config import CRAWL_DEPLOYMENT

        return _deploy_crawls(arguments.pool, arguments.name or CRAWL_DEPLOYMENT)
    # a served flow runs later, maybe elsewhere: its paths must not depend on the folder
    arguments.config = os.path.abspath(arguments.config) if arguments.config else None
    arguments.db = os.path.abspath(arguments.db) if arguments.db else None
    from pipelines.config import load_config
    from pipelines.discovery import summary_lines
    from pipelines.errors import OadError

    try:
        config = load_config(arguments.config)
    except OadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.discovery import discovery_flow

    configured = discovery_flow.with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=config.crawl.concurrency)  # type: ignore[arg-type]
    )
    if arguments.command == "serve":
        return _serve(configured, arguments, config.schedule)
    try:
        result = configured(arguments.config, arguments.db)
    except Exception as error:
        print(f"error: the discovery run failed: {error}", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(result)))
    return 0


def _serve(configured: object, arguments: argparse.Namespace, schedule: object) -> int:
    cron = arguments.cron or getattr(schedule, "cron", None)
    interval = arguments.interval or getattr(schedule, "interval", None)
    if not cron and not interval:
        print("error: give --cron or --interval (or [schedule] in the configuration)",
              file=sys.stderr)  # fmt: skip
        return 2
    configured.serve(  # type: ignore[attr-defined]
        name=arguments.name or "oad-discovery",
        cron=cron if not interval else None,
        interval=interval,
        parameters={"config_path": arguments.config, "db_path": arguments.db},
    )
    return 0


def _deploy_crawls(pool: str | None, name: str) -> int:
    """The crawl flow as deployment NAME of the process work pool POOL (made when missing);
    its workers run it from this checkout."""
    if not pool:
        print("error: give --pool", file=sys.stderr)
        return 2
    from pathlib import Path

    from flows.crawl import ENTRYPOINT, crawl_flow
    from flows.pool import ensure_pool

    ensure_pool(pool)
    checkout = Path(__file__).resolve().parents[1]
    # sync here (no event loop), though typed as maybe a coroutine
    deployable: Any = crawl_flow.from_source(source=str(checkout), entrypoint=ENTRYPOINT)
    deployable.deploy(name=name, work_pool_name=pool, print_next_steps=False)
    print(f"deployed {ENTRYPOINT} as {name} to work pool {pool}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m flows", description=__doc__)
    parser.add_argument("command", choices=("run", "serve", "deploy-crawls"))
    parser.add_argument("--config", help="The configuration file (default: OAD_CONFIG, oad.toml).")
    parser.add_argument("--db", help="The store (default: the configuration's, OAD_DB).")
    parser.add_argument("--cron", help="serve: a cron schedule, e.g. '0 2 * * *'.")
    parser.add_argument("--interval", type=float, help="serve: every N seconds instead.")
    parser.add_argument(
        "--name", help="serve: the deployment's name (oad-discovery); deploy-crawls: oad-crawl."
    )
    parser.add_argument("--pool", help="deploy-crawls: the process work pool.")
    return parser


if __name__ == "__main__":
    sys.exit(main())
