"""The workbench application: its routes, static files, security headers and error pages."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from web.auth import LoginRequired, Viewer
from web.render import nav_for, page
from web.routes import admin, debtors, decisions, exports, leads, login, review, runs, search

# what a page may load and where it may send: this site only, no inline script or style
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none';"
        " object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(store_path: str | os.PathLike[str], secure_cookies: bool = False) -> FastAPI:
    """The workbench over the store at STORE_PATH. SECURE_COOKIES when it is served over
    https (behind a proxy that ends TLS): browsers then send the session cookie only so."""
    app = FastAPI(
        title="oad workbench", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_warm
    )
    app.state.store_path = Path(store_path)
    app.state.secure_cookies = secure_cookies
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (login, search, debtors, leads, review, runs, exports, admin, decisions):
        app.include_router(module.router)
    app.add_api_route("/", home, methods=["GET"])
    app.middleware("http")(_security_headers)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(StarletteHTTPException, _error_page)
    return app


@asynccontextmanager
async def _warm(app: FastAPI) -> AsyncIterator[None]:
    """Search's tables load, and the tables pages keep in memory are made, in the background as
    the server starts, not in a user's request."""
    from matching.search import warm_up

    threading.Thread(target=warm_up, name="search warm-up", daemon=True).start()
    app.state.tables_kept = threading.Event()
    threading.Thread(
        target=_keep_tables,
        args=(app.state.store_path, app.state.tables_kept),
        name="tables warm-up",
        daemon=True,
    ).start()
    yield


def _keep_tables(store_path: Path, done: threading.Event) -> None:
    from matching.review_priorities import PRIORITIES
    from matching.search import SEARCH_NAMES
    from pipelines.errors import OadError
    from pipelines.store_reader import read_store

    try:
        with read_store(store_path) as (con, _, _):
            PRIORITIES.of(con)
            SEARCH_NAMES.of(con)
    except OadError:
        pass  # no store to read yet, or a run holds it with no replica: the first page makes them
    finally:
        done.set()


def home(request: Request, session: Viewer) -> Response:
    """The first page of the user's navigation."""
    items = nav_for(request, session)
    return RedirectResponse(items[0].path if items else "/runs", status_code=303)


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _to_login(request: Request, exc: Exception) -> Response:
    if request.method != "GET":
        return page(request, "error.html", None, 401, message="log in first", status=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return page(
        request, "error.html", None, exc.status_code, message=exc.detail, status=exc.status_code
    )
