"""Who is asking, and may they: the session cookie, roles, and the CSRF check on every POST."""

import datetime as dt
import hmac
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from pipelines.user_sessions import Session, session_for
from pipelines.workbench_db import connect_workbench

SESSION_COOKIE = "oad_session"
LOGIN_CSRF_COOKIE = "oad_login_csrf"  # the login form's token, before there is a session
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No live session: the browser is sent to the login page (see web.app)."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def store_path(request: Request) -> Path:
    path: Path = request.app.state.store_path
    return path


@contextmanager
def workbench(request: Request) -> Iterator[sqlite3.Connection]:
    """The workbench database, opened and closed in one thread (FastAPI may run a request's
    dependencies and its handler in different threads, and SQLite connections stay in one)."""
    con = connect_workbench(store_path(request))
    try:
        yield con
    finally:
        con.close()


def current_session(request: Request) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with workbench(request) as con:
        return session_for(con, token, now())


MaybeSession = Annotated[Session | None, Depends(current_session)]


def require(role: str) -> Callable[..., Session]:
    """A dependency giving the session of a user who holds ROLE (or one above it)."""

    def dependency(session: MaybeSession) -> Session:
        if session is None:
            raise LoginRequired()
        if not session.user.may(role):
            raise HTTPException(403, f"this needs the {role} role; you are {session.user.role}")
        return session

    return dependency


def local_path(target: str | None) -> str:
    """Where to send the browser next: a path of this site only, never another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


def checked_form(role: str) -> Callable[..., Awaitable[tuple[Session, FormData]]]:
    """A dependency for a POST: the session of a user holding ROLE and the form, whose CSRF
    token must be the session's; refused with 403 otherwise."""

    async def dependency(
        request: Request, session: Annotated[Session, Depends(require(role))]
    ) -> tuple[Session, FormData]:
        form = await request.form()
        given = form.get(CSRF_FIELD)
        if not same_token(given if isinstance(given, str) else None, session.csrf_token):
            raise HTTPException(403, "this form has no valid CSRF token: reload the page")
        return session, form

    return dependency


# a route's user, by the least role it needs; a POST's user and checked form
Viewer = Annotated[Session, Depends(require("viewer"))]
Investigator = Annotated[Session, Depends(require("investigator"))]
Admin = Annotated[Session, Depends(require("admin"))]
ViewerForm = Annotated[tuple[Session, FormData], Depends(checked_form("viewer"))]
InvestigatorForm = Annotated[tuple[Session, FormData], Depends(checked_form("investigator"))]
AdminForm = Annotated[tuple[Session, FormData], Depends(checked_form("admin"))]
