"""The export formats, by name, as the CLI and the workbench offer them: each format's writer
and what it writes. Writers are imported only when their format is asked for (the PDF one pulls
in a renderer), so that `oad --help` stays quick."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.errors import OadError

if TYPE_CHECKING:
    import duckdb

    from pipelines.exports.case import Case, CaseFilter

Writer = Callable[["Case", Path], list[Path]]


@dataclass(frozen=True)
class ExportFormat:
    writer: str  # "module:function" writing a Case to a path, returning the files written
    label: str
    suffix: str  # of the file written; "" for a folder (PDF dossiers, one per debtor)


FORMATS = {
    "xlsx": ExportFormat("pipelines.exports.xlsx:write_xlsx", "xlsx case pack", ".xlsx"),
    "csv": ExportFormat(
        "pipelines.exports.csv_export:write_csv", "CSV: leads and evidence", ".csv"
    ),
    "ftm": ExportFormat(
        "pipelines.exports.ftm:write_ftm", "FollowTheMoney JSON lines", ".ftm.jsonl"
    ),
    "pdf": ExportFormat("pipelines.exports.dossier:write_dossiers", "PDF dossier per debtor", ""),
}


def writer_of(name: str) -> Writer:
    module, function = FORMATS[name].writer.split(":")
    writer: Writer = getattr(importlib.import_module(module), function)
    return writer


@dataclass(frozen=True)
class Written:
    case: Case
    files: list[Path]

    @property
    def counts(self) -> dict[str, int]:
        """How much the export held, as the audit log keeps it."""
        return {"debtors": len(self.case.debtors), "leads": len(self.case.leads),
                "facts": len(self.case.facts)}  # fmt: skip


def read_case(con: duckdb.DuckDBPyConnection, filters: CaseFilter) -> Case:
    """The case FILTERS select. Raises OadError when the one debtor asked for is not there."""
    from pipelines.exports.case import load_case

    case = load_case(con, filters)
    if filters.debtor_id is not None and not case.debtors:
        raise OadError(f"no debtor {filters.debtor_id!r} in the store")
    return case


def write_case(case: Case, name: str, out: Path) -> Written:
    """CASE written in format NAME to OUT (a file, or a folder for PDF dossiers)."""
    return Written(case, writer_of(name)(case, out))
