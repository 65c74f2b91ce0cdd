"""The search page: one box for a name in any script or spelling, or an identifier; with
htmx its results follow the typing, without it the form is a plain GET."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from matching.search import matched_debtors, search
from matching.search_index import index_built
from web.auth import Viewer
from web.reading import reading
from web.render import page

router = APIRouter()
HITS_SHOWN = 30


@router.get("/search")
def search_page(request: Request, session: Viewer, q: str = "") -> Response:
    query = q.strip()
    with reading(request) as (con, store_view):
        built = index_built(con)
        hits = search(con, query, HITS_SHOWN) if built and query else []
        debtors = matched_debtors(con, hits)
    template = "search_results.html" if _results_only(request) else "search.html"
    response = page(
        request, template, session, store_view=store_view,
        query=query, hits=hits, debtors=debtors, built=built,
    )  # fmt: skip
    response.headers["Vary"] = "HX-Request"
    return response


def _results_only(request: Request) -> bool:
    """htmx asks for the results alone as one types; restoring history it needs the page."""
    headers = request.headers
    return bool(headers.get("HX-Request")) and not headers.get("HX-History-Restore-Request")
