"""`oad debtors`: the bank's debtor list."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.common import open_store
from cli.output import echo
from cli.progress import progress_for


@click.group(name="debtors")
def command() -> None:
    """The bank's debtor list.

    \b
    Example:
      oad debtors import data/sample/debtors.csv
    """


@command.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--encoding", help="Text encoding of a CSV file (default: detected).")
@click.option("--sheet", help="Sheet of an XLSX workbook (default: the first).")
@click.pass_context
def import_command(ctx: click.Context, file: Path, encoding: str | None, sheet: str | None) -> None:
    """Import debtors from a CSV or XLSX FILE; re-importing updates rows by debtor_id.

    Columns (case-insensitive; Chinese headers such as 债务人编号, 名称, 类型, 证件号码, 出生日期
    are accepted): debtor_id, name, kind (company|person), alt_names (; separated), id_number,
    birth_date, nationality, address, related_persons (name:role; ...), outstanding_amount,
    currency; the claim, all optional: claim_kind (judgment|award, 判决|仲裁裁决), claim_reference
    (案号), claim_forum (法院, 仲裁机构), judgment_date (判决日期), judgment_final (是否生效:
    是/否, yes/no, true/false, Y/N), default_date (违约日期), secured_amount (担保金额).
    USCCs and resident ID numbers are validated; an invalid one is kept and flagged.
    Malformed rows are kept in the rejected-rows table with their line and reason.

    \b
    Example:
      oad debtors import debtors.csv
      oad debtors import 债务人清单.xlsx --sheet 对公
      oad debtors import debtors_gbk.csv --encoding gb18030
    """
    from pipelines.debtors import import_debtors  # imported here so that `oad --help` stays quick

    with open_store(ctx) as store:
        counts = import_debtors(store, file, encoding, sheet, progress_for(ctx))
    echo(f"{file}: {counts.summary()}")
    if counts.unused_columns:
        echo(f"columns not used: {', '.join(counts.unused_columns)}")
