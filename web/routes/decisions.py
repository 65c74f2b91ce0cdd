"""An investigator's decision on a pair (confirm, reject or unsure, with a note): journalled at
once, applied to the store now if it is free, else by the next run that holds it
(pipelines/decision_journal.py). The debtor page and the review queue both post here; the queue
also posts several pairs at once (one decision and note for all of them).

A request from htmx (HX-Request) gets an empty 200: the page removes the row itself. Any other
is sent back to the page it came from."""

from __future__ import annotations

import json

import duckdb
from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from pipelines.decision_journal import PairDecision, apply_if_free, record_decisions
from pipelines.errors import OadError
from pipelines.store_reader import replica_refreshed
from web.auth import InvestigatorForm, local_path, store_path

router = APIRouter()
REPLICA_WAIT = 15.0  # seconds a decision waits for a replica copy before it is left pending
PAIR_FIELDS = ("debtor_id", "source", "source_id")
PAIRS_FIELD = "pair"  # the bulk form's: each a JSON list [debtor_id, source, source_id]


@router.post("/decisions")
def decide(request: Request, form: InvestigatorForm) -> Response:
    session, fields = form
    decision, note = _text(fields, "decision"), _text(fields, "note") or None
    _journal(request, session.user.name, [PairDecision(*_pair(fields), decision, note)])
    return _answer(request, fields)


@router.post("/decisions/bulk")
def decide_many(request: Request, form: InvestigatorForm) -> Response:
    session, fields = form
    decision, note = _text(fields, "decision"), _text(fields, "note") or None
    pairs = [_listed_pair(value) for value in fields.getlist(PAIRS_FIELD)]
    if not pairs:
        raise HTTPException(400, "no pair chosen: tick the rows to decide first")
    _journal(request, session.user.name, [PairDecision(*pair, decision, note) for pair in pairs])
    return _answer(request, fields)


def _journal(request: Request, user: str, decisions: list[PairDecision]) -> None:
    try:
        record_decisions(store_path(request), user, decisions)
    except OadError as error:
        raise HTTPException(400, str(error)) from None
    apply_now(request)


def _answer(request: Request, fields: FormData) -> Response:
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=200)
    return RedirectResponse(local_path(_text(fields, "back")), status_code=303)


def apply_now(request: Request) -> int | None:
    """Apply the journal to the store if no one holds it; None when it waits for the next
    writer (a run, or this process reading the store in another request). A copy of the store
    to its replica that this process is making is waited for first (briefly: it holds the store
    read-only, and DuckDB lets no writer in beside it)."""
    replica_refreshed(timeout=REPLICA_WAIT)
    try:
        return apply_if_free(store_path(request))
    except (OadError, duckdb.Error):
        return None


def _pair(fields: FormData) -> tuple[str, str, str]:
    debtor_id, source, source_id = (_text(fields, name) for name in PAIR_FIELDS)
    return debtor_id, source, source_id


def _listed_pair(value: object) -> tuple[str, str, str]:
    try:
        pair = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        pair = None
    if not (isinstance(pair, list) and len(pair) == 3 and all(isinstance(p, str) for p in pair)):
        raise HTTPException(400, "a chosen pair is not [debtor_id, source, source_id]")
    return pair[0], pair[1], pair[2]


def _text(fields: FormData, name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""
