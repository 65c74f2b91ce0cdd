"""`oad serve`: the investigator workbench in the browser."""

from __future__ import annotations

import click

from pipelines.store import resolve_db_path


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="Send the session cookie over https only (when a proxy in front serves https).",
)
@click.pass_context
def command(ctx: click.Context, host: str, port: int, secure_cookies: bool) -> None:
    """Serve the workbench over the store: search, review, runs, audit (docs/workbench.md).
    Add a user first with `oad users add`.

    \b
    Example:
      oad --db bank.duckdb serve --port 8000
    """
    import uvicorn

    from web.app import create_app

    store_path = resolve_db_path((ctx.find_root().obj or {}).get("db_path"))
    app = create_app(store_path, secure_cookies=secure_cookies)
    click.echo(f"the workbench over {store_path}: http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
