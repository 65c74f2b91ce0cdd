"""A debtor's page: who it is and what it owes, its ranked candidates with why each scored as
it did and what investigators decided, its leads, and the leads drawn as a graph."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import HTMLResponse, Response

from matching.explain import Candidate, candidates
from matching.reviews import rejected_of
from pipelines.decision_journal import Decision, pending
from pipelines.exports.case import CaseFilter, Review, load_case
from pipelines.exports.dossier_view import debtor_dossier, money
from pipelines.leads.graph import debtor_graph_html
from web.auth import Viewer, store_path
from web.bars import Bar, bars, bits_scale
from web.reading import reading
from web.render import page

router = APIRouter()
CANDIDATES_SHOWN = 10
# the graph page is a whole document with its own inline style, and no script at all
GRAPH_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'none'"
)

Pair = tuple[str, str]  # (source, source id) of a debtor's candidate


@dataclass(frozen=True)
class CandidateView:
    candidate: Candidate
    bars: list[Bar]
    review: Review | None  # the decision in force on the pair
    waiting: Decision | None  # the last decision the store has not yet taken


@router.get("/debtors/{debtor_id}")
def debtor_page(request: Request, session: Viewer, debtor_id: str) -> Response:
    with reading(request) as (con, store_view):
        case = load_case(con, CaseFilter(debtor_id=debtor_id, explained=False))
        if not case.debtors:
            raise HTTPException(404, f"no debtor {debtor_id!r}")
        dossier = debtor_dossier(case, case.debtors[0])
        found = candidates(con, debtor_id, CANDIDATES_SHOWN)
        rejected = rejected_of(con, debtor_id)
    reviews = {(r.source, r.source_id): r for r in dossier.reviews}  # the latest last
    waiting = {(d.source, d.source_id): d for d in pending(store_path(request))
               if d.debtor_id == debtor_id}  # fmt: skip
    scale = bits_scale(found)
    views = [
        CandidateView(c, bars(c.steps, scale), reviews.get(_pair(c)), waiting.get(_pair(c)))
        for c in found
    ]
    return page(
        request, "debtor.html", session, store_view=store_view, dossier=dossier,
        candidates=views, rejected=rejected, scale=scale, money=money,
        may_decide=session.user.may("investigator"),
    )  # fmt: skip


@router.get("/debtors/{debtor_id}/graph")
def debtor_graph(request: Request, session: Viewer, debtor_id: str) -> Response:
    with reading(request) as (con, _):
        drawn = debtor_graph_html(con, debtor_id)
    if drawn is None:
        raise HTTPException(404, f"no leads of debtor {debtor_id!r} to draw")
    return HTMLResponse(drawn, headers={"Content-Security-Policy": GRAPH_POLICY})


def _pair(candidate: Candidate) -> Pair:
    return candidate.source, candidate.source_id
