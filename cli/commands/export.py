"""`oad export`: the case handed to a recovery team, outside counsel or a funder, in the format
they take (xlsx case pack, CSV, FollowTheMoney, PDF dossier). Every format renders the one case
pipelines/exports/case.py reads; every export is written to the audit log."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.common import open_store
from cli.output import echo
from pipelines.exports.formats import FORMATS, read_case, write_case


@click.group(name="export")
def command() -> None:
    """Export the case: leads with their chains, evidence and reviews.

    \b
    Example:
      oad export leads --format xlsx -o out/exports/case.xlsx
    """


@command.command(name="leads")
@click.option("--format", "format_", type=click.Choice(sorted(FORMATS)), required=True,
              help="xlsx: the case pack; csv: OUT's stem + -leads.csv, -evidence.csv;"
                   " ftm: FollowTheMoney JSON lines; pdf: the dossier per debtor.")  # fmt: skip
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="File to write (its folder is made if missing); for pdf, a folder (one"
                   " PDF per debtor) unless it ends in .pdf.")  # fmt: skip
@click.option("--debtor", help="Only this debtor (its debtor_id).")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Only leads at least this confident.")  # fmt: skip
@click.option("--status", type=click.Choice(["all", "confirmed"]), default="all",
              show_default=True,
              help="confirmed: only chains from a match an investigator confirmed.")  # fmt: skip
@click.option("--redact", is_flag=True,
              help="Leave out the bank's internal fields: debtor ids (a stable pseudonym"
                   " instead), outstanding amounts, review notes.")  # fmt: skip
@click.pass_context
def leads(
    ctx: click.Context,
    format_: str,
    out: Path,
    debtor: str | None,
    min_confidence: float,
    status: str,
    redact: bool,
) -> None:
    """Write the leads, the facts they rest on and the reviews to OUT in FORMAT.

    \b
    Example:
      oad export leads --format xlsx -o out/exports/case.xlsx
      oad export leads --format csv -o out/exports/d001.csv --debtor D001 --min-confidence 0.5
      oad export leads --format xlsx -o counsel.xlsx --status confirmed --redact
      oad export leads --format ftm -o out/exports/leads.ftm.jsonl
      oad export leads --format pdf -o out/exports/dossiers/
    """
    from pipelines.exports.audit import record_export
    from pipelines.exports.case import CaseFilter

    if out.is_dir() and format_ != "pdf":
        raise click.BadParameter(f"{out} is a folder; {format_} writes a file", param_hint="-o")
    filters = CaseFilter(debtor, min_confidence, "confirmed" if status == "confirmed" else "all",
                         redact)  # fmt: skip
    with open_store(ctx) as store:
        export = write_case(read_case(store.con, filters), format_, out)
        record_export(store, "export", filters, export.files, export.counts, format=format_)
    case = export.case
    for path in export.files:
        echo(f"wrote {path}")
    echo(f"{len(case.leads)} leads, {len(case.facts)} facts, {len(case.debtors)} debtors")
