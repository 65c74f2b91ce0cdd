"""Exports from the workbench: the case as `oad export leads` writes it (xlsx, CSV, FtM, PDF
dossiers), read from the store (or its replica while a run writes it) and downloaded.

Viewers may export too (counsel take the case from here), but only redacted: the bank's internal
fields (debtor ids, outstanding amounts, review notes) leave only with an investigator's choice.
Every export goes to the audit log with who, when, the format, the filter, the files and counts.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import duckdb
from fastapi import APIRouter, Query, Request
from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.responses import FileResponse, Response

from pipelines.errors import OadError
from pipelines.exports.audit import export_details
from pipelines.exports.case import CaseFilter
from pipelines.exports.formats import FORMATS, Written, read_case, write_case
from pipelines.user_sessions import Session
from web.auth import Viewer, ViewerForm
from web.events import journal
from web.reading import reading
from web.render import page

router = APIRouter()


class ChoiceError(ValueError):
    """The form asks for something there is no export of."""


@dataclass(frozen=True)
class Choice:
    format: str
    filters: CaseFilter


@router.get("/exports")
def export_form(
    request: Request, session: Viewer, debtor: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """The form; ?debtor=ID (the debtor page's link) chooses that debtor."""
    chosen = Choice("xlsx", CaseFilter(debtor.strip() or None, redact=_must_redact(session)))
    return _form(request, session, chosen)


@router.post("/exports")
def export(request: Request, form: ViewerForm) -> Response:
    session, fields = form
    try:
        chosen = _choice(fields, session)
    except ChoiceError as error:
        return _form(request, session, None, str(error), 400)
    folder = Path(tempfile.mkdtemp(prefix="oad-export-"))
    try:
        written = _write(request, chosen, folder)
        download = _download(written.files, folder, _stem(chosen), chosen.format)
    except ChoiceError as error:
        shutil.rmtree(folder, ignore_errors=True)
        return _form(request, session, chosen, str(error), 400)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _audit(request, session, chosen, written, download)
    return FileResponse(
        download, filename=download.name, background=BackgroundTask(shutil.rmtree, folder, True)
    )


def _form(
    request: Request,
    session: Session,
    chosen: Choice | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    chosen = chosen or Choice("xlsx", CaseFilter(redact=_must_redact(session)))
    debtor_name = None
    store_view = None
    if chosen.filters.debtor_id:
        with reading(request) as (con, store_view):
            debtor_name = _debtor_name(con, chosen.filters.debtor_id)
    return page(
        request, "exports.html", session, status, store_view=store_view, formats=FORMATS,
        chosen=chosen, debtor_name=debtor_name, must_redact=_must_redact(session), error=error,
    )  # fmt: skip


def _debtor_name(con: duckdb.DuckDBPyConnection, debtor_id: str) -> str | None:
    row = con.execute("SELECT name FROM debtors WHERE debtor_id = ?", [debtor_id]).fetchone()
    return None if row is None else str(row[0])


def _must_redact(session: Session) -> bool:
    return not session.user.may("investigator")


def _choice(fields: FormData, session: Session) -> Choice:
    """The export the form asks for; a viewer's always redacted."""
    name = _text(fields, "format")
    if name not in FORMATS:
        raise ChoiceError(f"no export format {name!r}")
    try:
        min_confidence = float(_text(fields, "min_confidence") or 0)
    except ValueError:
        raise ChoiceError("the least confidence is a number from 0 to 1") from None
    if not 0 <= min_confidence <= 1:
        raise ChoiceError("the least confidence is a number from 0 to 1")
    filters = CaseFilter(
        debtor_id=_text(fields, "debtor") or None,
        min_confidence=min_confidence,
        status="confirmed" if fields.get("confirmed") else "all",
        redact=bool(fields.get("redact")) or _must_redact(session),
    )
    return Choice(name, filters)


def _text(fields: FormData, name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _stem(chosen: Choice) -> str:
    """The download's name: the debtor's id in it when one debtor, unless redacted."""
    debtor = chosen.filters.debtor_id
    if debtor is None or chosen.filters.redact:
        return "case"
    from pipelines.exports.dossier import file_names  # a PDF renderer behind it: load on use

    return f"case-{file_names([debtor])[debtor].removesuffix('.pdf')}"


def _out(folder: Path, chosen: Choice) -> Path:
    """Where the writer writes: a file, or a folder (PDF dossiers of several debtors)."""
    suffix = FORMATS[chosen.format].suffix
    if chosen.format == "pdf" and chosen.filters.debtor_id is not None:
        suffix = ".pdf"
    return folder / "files" / f"{_stem(chosen)}{suffix}" if suffix else folder / "files"


def _write(request: Request, chosen: Choice, folder: Path) -> Written:
    """The case read, then written with the store closed: a reader keeps a run from opening
    it, and rendering many PDF dossiers takes longer than reading them."""
    with reading(request) as (con, _):
        try:
            case = read_case(con, chosen.filters)
        except OadError as error:  # the debtor asked for is not in the store
            raise ChoiceError(str(error)) from None
    return write_case(case, chosen.format, _out(folder, chosen))


def _download(files: list[Path], folder: Path, stem: str, name: str) -> Path:
    """The one file written, or a zip of the several."""
    if not files:
        raise ChoiceError("nothing to export: no debtor has leads under this filter")
    if len(files) == 1:
        return files[0]
    archive = folder / f"{stem}-{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in files:
            out.write(path, path.name)
    return archive


def _audit(
    request: Request, session: Session, chosen: Choice, written: Written, download: Path
) -> None:
    names = [path.name for path in written.files]
    details = export_details(chosen.filters, names, written.counts, format=chosen.format,
                             download=download.name)  # fmt: skip
    journal(request, session, "export", details)
