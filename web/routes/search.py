"""The search page: one box for a name in any script or spelling, or an identifier; with
htmx its results follow the typing, without it the form is a plain GET."""

from __future__ import annotations

import duckdb
from fastapi import APIRouter, Request
from starlette.responses import Response

from matching.review_priorities import priorities
from matching.search import SEARCH_NAMES, Hit, matched_debtors, search
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
        hits, debtors = _found(con, query) if built and query else ([], {})
    template = "search_results.html" if _results_only(request) else "search.html"
    response = page(
        request, template, session, store_view=store_view,
        query=query, hits=hits, debtors=debtors, built=built,
    )  # fmt: skip
    response.headers["Vary"] = "HX-Request"
    return response


def _found(
    con: duckdb.DuckDBPyConnection, query: str
) -> tuple[list[Hit], dict[tuple[str, str], str]]:
    """The hits and the debtors their records are candidates of, read from the tables this
    server keeps in memory."""
    with SEARCH_NAMES.of(con).cursor() as names:
        hits = search(con, query, HITS_SHOWN, names)
    with priorities(con).cursor() as matches:
        return hits, matched_debtors(matches, hits)


def _results_only(request: Request) -> bool:
    """htmx asks for the results alone as one types; restoring history it needs the page."""
    headers = request.headers
    return bool(headers.get("HX-Request")) and not headers.get("HX-History-Restore-Request")
