"""`oad records`: foreign records a user brings (from a data vendor, or a registry export)."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.common import open_store
from cli.output import echo
from cli.progress import progress_for


@click.group(name="records")
def command() -> None:
    """Foreign company and person records.

    \b
    Example:
      oad records import vendor_hk.csv --source vendor_hk
    """


@command.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Name of the source these records come from.")
@click.option("--encoding", help="Text encoding of a CSV file (default: detected).")
@click.option(
    "--snapshot",
    is_flag=True,
    help="FILE is the whole source: its records missing from FILE are marked removed.",
)
@click.option(
    "--accept-removals",
    is_flag=True,
    help="With --snapshot: mark removed however many records FILE no longer holds (more than"
    " a tenth is otherwise held, and nothing changes).",
)
@click.pass_context
def import_command(
    ctx: click.Context,
    file: Path,
    source: str,
    encoding: str | None,
    snapshot: bool,
    accept_removals: bool,
) -> None:
    """Import foreign records from FILE (CSV, JSON lines or Parquet) under SOURCE.

    Columns: source_id and name (required), kind (company|person), alt_names (; separated or a
    JSON list), jurisdiction, registration_number, incorporation_date, birth_date (YYYY-MM or
    YYYY-MM-DD), nationality, country_of_residence, address. Other columns are kept in the raw
    payload and reported. Re-importing the same file adds nothing.

    \b
    Example:
      oad records import hk_companies.csv --source vendor_hk
      oad records import officers.jsonl --source vendor_officers --snapshot
    """
    from pipelines.records import import_records  # imported here so that `oad --help` stays quick

    if accept_removals and not snapshot:
        raise click.UsageError("--accept-removals goes with --snapshot")

    with open_store(ctx) as store:
        counts = import_records(
            store, file, source, encoding, snapshot, progress_for(ctx), accept_removals
        )
    echo(f"{file}: {counts.summary()}")
    if counts.unused_columns:
        echo(f"columns not used (kept in the raw payload): {', '.join(counts.unused_columns)}")
