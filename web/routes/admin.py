"""The admin's pages: the store's audit log, and the users (with disabling one)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from pipelines.audit_history import audit_count, audit_page, detail_pairs
from pipelines.user_sessions import end_sessions_of
from pipelines.users import UserError, disable_user, list_users
from pipelines.workbench_events import Change, copy_events_if_free, pending_events
from web.auth import Admin, AdminForm, now, store_path, workbench
from web.events import WRITE_WAIT
from web.reading import reading
from web.render import page

router = APIRouter()
AUDIT_PER_PAGE = 50


@router.get("/audit")
def audit(
    request: Request,
    session: Admin,
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> Response:
    with workbench(request) as con:
        pending = pending_events(con)
    with reading(request) as (store, store_view):
        total = audit_count(store)
        entries = audit_page(store, page_number, AUDIT_PER_PAGE)
    pages = max(1, math.ceil(total / AUDIT_PER_PAGE))
    return page(
        request, "audit.html", session, store_view=store_view,
        entries=[(entry, detail_pairs(entry.details)) for entry in entries],
        pending=[(event, detail_pairs(event.details)) for event in pending],
        page_number=page_number, pages=pages, total=total,
    )  # fmt: skip


@router.get("/users")
def users(request: Request, session: Admin) -> Response:
    with workbench(request) as con:
        shown = list_users(con)
    return page(request, "users.html", session, users=shown)


@router.post("/users/{name}/disable")
def disable(request: Request, name: str, form: AdminForm) -> Response:
    session, _ = form
    if name == session.user.name:
        raise HTTPException(400, "you cannot disable yourself: ask another admin")
    with workbench(request) as con:
        try:
            changed = disable_user(con, name, Change(f"web:{session.user.name}", now()))
        except UserError as error:
            raise HTTPException(404, str(error)) from None
        if changed:
            end_sessions_of(con, name)
            copy_events_if_free(con, store_path(request), WRITE_WAIT)
    return RedirectResponse("/users", status_code=303)
