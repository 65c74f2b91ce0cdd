"""Rendering a page: the templates (autoescaped: crawled text is shown, never run) and what
every page's layout needs (the user, the navigation, the replica banner)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response
from starlette.routing import Match

from pipelines.user_sessions import Session

_TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    role: str  # the least role that sees it


# the pages in the header, in order; one is shown once its route exists
NAV = (
    NavItem("Search", "/search", "viewer"),
    NavItem("Review queue", "/review", "investigator"),
    NavItem("Runs", "/runs", "viewer"),
    NavItem("Exports", "/exports", "viewer"),
    NavItem("Audit", "/audit", "admin"),
    NavItem("Users", "/users", "admin"),
)


def nav_for(request: Request, session: Session | None) -> list[NavItem]:
    if session is None:
        return []
    return [item for item in NAV if _served(request, item.path) and session.user.may(item.role)]


def _served(request: Request, path: str) -> bool:
    """Whether the app answers GET PATH (routers it includes are not listed route by route)."""
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.routes)


@dataclass(frozen=True)
class StoreView:
    """Which store a page read: the live one, or the replica as of a time."""

    as_of: dt.datetime
    is_replica: bool


def page(
    request: Request,
    template: str,
    session: Session | None,
    status_code: int = 200,
    store_view: StoreView | None = None,
    **context: Any,
) -> Response:
    return _TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "nav": nav_for(request, session),
            "store_view": store_view,
            **context,
        },
        status_code=status_code,
    )
