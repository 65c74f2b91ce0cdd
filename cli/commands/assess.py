"""`oad assess`: the recovery view of the debtors and what their leads trace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.commands.common import config_option, open_store
from cli.output import UserError, echo

if TYPE_CHECKING:
    from pipelines.assessment.model import Assessment
    from pipelines.assessment.rates import Rates

_FORMATS = {".xlsx": "xlsx", ".pdf": "pdf"}


@click.command(name="assess")
@click.option("--debtor", "debtor_id", help="One debtor's full view (default: the portfolio).")
@click.option(
    "--rates", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Exchange rates (YAML: base, rates). Default: [assess] rates of --config, if given.",
)  # fmt: skip
@config_option
@click.option(
    "--on", "on_date", type=click.DateTime(["%Y-%m-%d"]),
    help="Judge routes, deadlines and staleness on this date (default: today).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the assessment to F.xlsx or F.pdf.",
)  # fmt: skip
@click.pass_context
def command(
    ctx: click.Context,
    debtor_id: str | None,
    rates: Path | None,
    config: str | None,
    on_date: dt.datetime | None,
    output: Path | None,
) -> None:
    """The recovery assessment: each debtor's claim against the value its leads trace.

    Per debtor: the claim (outstanding, secured, net), traced value (confirmed leads, and all
    leads weighted by confidence), coverage ratios, value by jurisdiction with the enforcement
    route there (eligible / check / barred, with the reason), dissipation signals, the weakest
    hop per asset and what is missing. Without --debtor, the debtors ranked by expected
    recovery. Values are converted only with rates from a file (--rates); a value without a rate
    is shown unconverted and listed as missing. Evidence for counsel, not legal advice.

    \b
    Example:
      oad assess --rates data/sample/fx_rates.yml
      oad assess --debtor D001 --rates data/sample/fx_rates.yml
      oad assess --rates rates.yml -o out/assessment.xlsx
      oad assess --debtor D001 --rates rates.yml -o out/D001-assessment.pdf
    """
    from pipelines.assessment.assess import assess_case
    from pipelines.assessment.text import debtor_text, portfolio_text
    from pipelines.exports.audit import record_export
    from pipelines.exports.case import CaseFilter, load_case

    kind = _output_kind(output)
    rates_file = rates or _configured_rates(config)
    loaded = _load_rates(rates_file)
    filters = CaseFilter(debtor_id=debtor_id)
    with open_store(ctx) as store:
        case = load_case(store.con, filters)
        if debtor_id is not None and not case.debtors:
            raise UserError(f"no debtor {debtor_id!r} in the store")
        on = on_date.date() if on_date else dt.date.today()
        assessment = assess_case(case, loaded, on)
        if output is not None and kind is not None:
            _write(assessment, output, kind)
        record_export(
            store, "assess", filters, [output] if output else [],
            {"debtors": len(case.debtors), "leads": len(case.leads)},
            format=kind or "terminal", rates=str(rates_file) if rates_file else None,
            on=on.isoformat(),
        )  # fmt: skip
    if debtor_id is None:
        echo(portfolio_text(assessment))
    else:
        echo(debtor_text(assessment, assessment.debtors[0]))
    if output is not None:
        echo(f"\nwritten: {output}")


def _output_kind(output: Path | None) -> str | None:
    if output is None:
        return None
    kind = _FORMATS.get(output.suffix.lower())
    if kind is None:
        raise UserError(f"{output}: write the assessment to a .xlsx or .pdf file")
    return kind


def _configured_rates(config: str | None) -> Path | None:
    if config is None:
        return None
    from pipelines.config import load_config

    return load_config(config).assess.rates


def _load_rates(path: Path | None) -> Rates | None:
    if path is None:
        return None
    from pipelines.assessment.rates import load_rates

    return load_rates(path)


def _write(assessment: Assessment, output: Path, kind: str) -> None:
    if kind == "xlsx":
        from pipelines.assessment.workbook import write_workbook

        write_workbook(assessment, output)
    else:
        from pipelines.assessment.report import write_pdf

        write_pdf(assessment, output)
