"""An investigator's decision on a pair (confirm, reject or unsure, with a note): journalled at
once, applied to the store now if it is free, else by the next run that holds it
(pipelines/decision_journal.py). The debtor page and the review queue both post here."""

from __future__ import annotations

import duckdb
from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from pipelines.decision_journal import apply_if_free, record_decision
from pipelines.errors import OadError
from web.auth import InvestigatorForm, local_path, store_path

router = APIRouter()
PAIR_FIELDS = ("debtor_id", "source", "source_id")


@router.post("/decisions")
def decide(request: Request, form: InvestigatorForm) -> Response:
    session, fields = form
    try:
        record_decision(
            store_path(request), session.user.name, *_pair(fields),
            decision=_text(fields, "decision"), note=_text(fields, "note") or None,
        )  # fmt: skip
    except OadError as error:
        raise HTTPException(400, str(error)) from None
    apply_now(request)
    return RedirectResponse(local_path(_text(fields, "back")), status_code=303)


def apply_now(request: Request) -> int | None:
    """Apply the journal to the store if no one holds it; None when it waits for the next
    writer (a run, or this process reading the store in another request)."""
    try:
        return apply_if_free(store_path(request))
    except (OadError, duckdb.Error):
        return None


def _pair(fields: FormData) -> tuple[str, str, str]:
    debtor_id, source, source_id = (_text(fields, name) for name in PAIR_FIELDS)
    return debtor_id, source, source_id


def _text(fields: FormData, name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""
