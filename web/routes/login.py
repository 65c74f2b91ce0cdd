"""Logging in and out."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from pipelines.user_sessions import (
    SESSION_LIFE,
    LoginRefused,
    LoginThrottled,
    Session,
    log_in,
    log_out,
)
from web.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    MaybeSession,
    ViewerForm,
    local_path,
    now,
    same_token,
    workbench,
)
from web.render import page

router = APIRouter()


@router.get("/login")
def login_form(request: Request, session: MaybeSession, next: str = "/") -> Response:
    if session is not None:
        return RedirectResponse(local_path(next), status_code=303)
    return _login_page(request, next, None, 200)


def _login_page(request: Request, next_path: str, message: str | None, status: int) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = page(
        request, "login.html", None, status, next_path=local_path(next_path), message=message,
        csrf_token=token,
    )  # fmt: skip
    secure = request.app.state.secure_cookies
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/login"
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not same_token(fields.get(CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "the login form has no valid CSRF token: reload the page")
    next_path = fields.get("next", "/")
    address = request.client.host if request.client else "unknown"
    try:
        session = await run_in_threadpool(
            _log_in, request, fields.get("name", ""), fields.get("password", ""), address
        )
    except LoginRefused as refused:
        status = 429 if isinstance(refused, LoginThrottled) else 401
        return _login_page(request, next_path, str(refused), status)
    response = RedirectResponse(local_path(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int(SESSION_LIFE.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login", httponly=True, samesite="strict")
    return response


def _log_in(request: Request, name: str, password: str, address: str) -> Session:
    """Checking the password takes a while (argon2, on purpose): off the event loop."""
    with workbench(request) as con:
        return log_in(con, name, password, address, now())


@router.post("/logout")
def logout(request: Request, form: ViewerForm) -> Response:
    session, _ = form
    with workbench(request) as con:
        log_out(con, session.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
