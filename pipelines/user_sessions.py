"""Logging in: the attempts (and the limit on failed ones), and the sessions a login opens.

A session's token is given to the browser once; the database keeps only its SHA-256, so a copy
of the database opens no session. Each session has its own CSRF token for its forms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from pipelines.errors import OadError
from pipelines.users import User, ensure_users, get_user, verify_password

MAX_FAILURES = 5  # failed logins per user name and address ...
FAILURE_WINDOW = dt.timedelta(minutes=15)  # ... within this long, before more are refused
SESSION_LIFE = dt.timedelta(hours=12)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS login_attempts (
    attempted_at TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    address      TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'refused'))
);
CREATE INDEX IF NOT EXISTS login_attempts_by_user
    ON login_attempts (user_name, address, attempted_at);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""


class LoginRefused(OadError):
    """A login that did not open a session; the message is fit to show at the login form."""


class LoginThrottled(LoginRefused):
    """Refused unchecked: too many failures for this name from this address of late."""


@dataclass(frozen=True)
class Session:
    token: str  # the browser's cookie; not stored
    user: User
    csrf_token: str
    expires_at: dt.datetime


def ensure_sessions(con: sqlite3.Connection) -> None:
    ensure_users(con)
    con.executescript(_SCHEMA)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def log_in(
    con: sqlite3.Connection, name: str, password: str, address: str, now: dt.datetime
) -> Session:
    """A new session for NAME when PASSWORD is right and NAME has not failed MAX_FAILURES
    times from ADDRESS in the last FAILURE_WINDOW; every attempt is recorded."""
    ensure_sessions(con)
    failures = con.execute(
        "SELECT attempted_at FROM login_attempts WHERE user_name = ? AND address = ?"
        " AND outcome = 'failed' AND attempted_at > ? ORDER BY attempted_at",
        [name, address, _stamp(now - FAILURE_WINDOW)],
    ).fetchall()
    if len(failures) >= MAX_FAILURES:
        _record_attempt(con, name, address, "refused", now)
        retry_at = dt.datetime.fromisoformat(failures[-MAX_FAILURES][0]) + FAILURE_WINDOW
        raise LoginThrottled(
            f"too many failed logins for this name from this address: try again after"
            f" {retry_at:%H:%M} UTC"
        )
    user = verify_password(con, name, password)
    if user is None:
        _record_attempt(con, name, address, "failed", now)
        raise LoginRefused("wrong name or password, or the user is disabled")
    _record_attempt(con, name, address, "ok", now)
    return _open_session(con, user, now)


def _record_attempt(
    con: sqlite3.Connection, name: str, address: str, outcome: str, now: dt.datetime
) -> None:
    with con:
        con.execute(
            "INSERT INTO login_attempts VALUES (?, ?, ?, ?)", [_stamp(now), name, address, outcome]
        )


def _open_session(con: sqlite3.Connection, user: User, now: dt.datetime) -> Session:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + SESSION_LIFE
    with con:
        con.execute("DELETE FROM sessions WHERE expires_at <= ?", [_stamp(now)])
        con.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
            [_token_hash(token), user.name, csrf, _stamp(now), _stamp(expires)],
        )
    return Session(token, user, csrf, expires)


def session_for(con: sqlite3.Connection, token: str, now: dt.datetime) -> Session | None:
    """The live session of TOKEN: None when unknown, expired, or its user is disabled."""
    ensure_sessions(con)
    row = con.execute(
        "SELECT user_name, csrf_token, expires_at FROM sessions"
        " WHERE token_hash = ? AND expires_at > ?",
        [_token_hash(token), _stamp(now)],
    ).fetchone()
    if row is None:
        return None
    user = get_user(con, row[0])
    if user is None or user.disabled:
        return None
    return Session(token, user, row[1], dt.datetime.fromisoformat(row[2]))


def log_out(con: sqlite3.Connection, token: str) -> None:
    ensure_sessions(con)
    with con:
        con.execute("DELETE FROM sessions WHERE token_hash = ?", [_token_hash(token)])


def end_sessions_of(con: sqlite3.Connection, name: str) -> None:
    """Close every session of NAME (a disabled user is out at once, not at expiry)."""
    ensure_sessions(con)
    with con:
        con.execute("DELETE FROM sessions WHERE user_name = ?", [name])
