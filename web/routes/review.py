"""The review queue: undecided pairs, the most valuable decisions first
(matching/review_queue.py), decided one by one, by keyboard, or several at once.

Blind mode hides the probability and the model's weights, so that the reviewer decides on the
evidence alone; it is kept in a cookie of the reviewer's browser while they browse the queue."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import Response

from matching.review_queue import PRIORITY_FORMULA, QueueFilter, queue_page, queue_sources
from pipelines.decision_journal import left_out_of_queue
from pipelines.exports.dossier_view import money
from web.auth import Investigator, store_path
from web.reading import reading
from web.render import page

router = APIRouter()
PER_PAGE = 25
BLIND_COOKIE = "oad_review_blind"


@router.get("/review")
def review(
    request: Request,
    session: Investigator,
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
    source: str | None = None,
    min_p: str = "",  # the filter form sends it empty when not set
    blind: Annotated[int | None, Query(ge=0, le=1)] = None,
) -> Response:
    is_blind = bool(blind) if blind is not None else request.cookies.get(BLIND_COOKIE) == "1"
    min_probability = _probability(min_p)
    wanted = QueueFilter(source or None, min_probability)
    skip = left_out_of_queue(store_path(request), session.user.name)
    with reading(request) as (con, store_view):
        found = queue_page(con, skip, wanted, (page_number - 1) * PER_PAGE, PER_PAGE)
        sources = queue_sources(con)
    filters = {"source": wanted.source or "", "min_p": min_probability or ""}
    response = page(
        request, "review.html", session, store_view=store_view,
        rows=found.rows, total=found.total, page_number=page_number,
        pages=max(1, math.ceil(found.total / PER_PAGE)), sources=sources, wanted=wanted,
        blind=is_blind, formula=PRIORITY_FORMULA, money=money,
        here=_url(filters, page_number), page_url=lambda n: _url(filters, n),
        blind_url=_url({**filters, "blind": 0 if is_blind else 1}, page_number),
    )  # fmt: skip
    if blind is not None:
        response.set_cookie(BLIND_COOKIE, str(blind), httponly=True, samesite="strict",
                            secure=request.app.state.secure_cookies, path="/review")  # fmt: skip
    return response


def _probability(text: str) -> float:
    if not text.strip():
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        raise HTTPException(400, f"the probability floor must be between 0 and 1, not {text!r}")
    return value


def _url(params: Mapping[str, object], page_number: int) -> str:
    kept = {name: value for name, value in params.items() if value != ""}
    if page_number > 1:
        kept["page"] = page_number
    return "/review" + (f"?{urlencode(kept)}" if kept else "")
