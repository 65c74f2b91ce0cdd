"""A lead's page: its chain hop by hop, the asset it reaches, and every published fact it rests
on with where and when it was fetched."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from pipelines.exports.case import CaseFilter, Hop, load_case
from pipelines.exports.dossier_view import VIA_WORDS, money
from pipelines.leads.report import lead_debtor
from web.auth import Viewer
from web.reading import reading
from web.render import page

router = APIRouter()


@router.get("/leads/{lead_id}")
def lead_page(request: Request, session: Viewer, lead_id: str) -> Response:
    with reading(request) as (con, store_view):
        debtor_id = lead_debtor(con, lead_id)
        case = (
            load_case(con, CaseFilter(debtor_id=debtor_id, include_gone=True, explained=False))
            if debtor_id
            else None
        )
    lead = next((lead for lead in case.leads if lead.lead_id == lead_id), None) if case else None
    if case is None or lead is None:
        raise HTTPException(404, f"no lead {lead_id!r}")
    return page(
        request, "lead.html", session, store_view=store_view, lead=lead,
        debtor=case.debtors[0] if case.debtors else None, facts=case.facts_of(lead),
        role_of=role_words, ceased=ceased, money=money, link=web_link,
    )  # fmt: skip


def web_link(url: str | None) -> str | None:
    """URL if a browser may follow it: a crawled `javascript:` or `data:` one is shown only."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def role_words(hop: Hop) -> str:
    return VIA_WORDS.get(hop.via, hop.role.replace("_", " "))


def ceased(hop: Hop) -> bool:
    """Whether the relationship the hop rests on has ended (the walk marks its reason so)."""
    return bool(hop.until) or hop.reason.endswith("; ceased")
