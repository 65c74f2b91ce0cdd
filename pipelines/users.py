"""The workbench's users: a name, a role, an argon2 password hash, disabled or not.

Kept in the workbench database (pipelines/workbench_db.py), not the store: a user is added or
disabled while a run may hold the store. Each change is also an event for the store's audit log
(pipelines/workbench_events.py).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipelines.errors import OadError
from pipelines.workbench_events import Change, ensure_events, insert_event

ROLES = ("viewer", "investigator", "admin")  # each may do what the ones before it may
MIN_PASSWORD_CHARS = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_hasher = PasswordHasher()
# verified against for an unknown name, so a wrong name costs the same time as a wrong password
_DUMMY_HASH = _hasher.hash("not a password anyone has")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'investigator', 'admin')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
)
"""


class UserError(OadError):
    """A user that cannot be added or changed as asked."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool
    created_at: str

    def may(self, role: str) -> bool:
        """Whether this user holds ROLE or one above it."""
        return not self.disabled and ROLES.index(self.role) >= ROLES.index(role)


def ensure_users(con: sqlite3.Connection) -> None:
    con.execute(_SCHEMA)


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise UserError(
            f"user name {name!r}: use 1 to 64 letters, digits, '.', '_', '@' or '-',"
            " starting with a letter or digit"
        )


def check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r}: must be one of {', '.join(ROLES)}")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"password: at least {MIN_PASSWORD_CHARS} characters, please")


def add_user(con: sqlite3.Connection, name: str, role: str, password: str, change: Change) -> User:
    """A new user, with its audit event in the same transaction; a name already taken is
    refused (disabled users keep their name, so what they decided stays theirs)."""
    check_name(name)
    check_role(role)
    check_password(password)
    ensure_users(con)
    ensure_events(con)
    created = change.at.isoformat(timespec="seconds")
    try:
        with con:
            con.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                [name, role, _hasher.hash(password), created],
            )
            insert_event(con, change, "user added", {"user": name, "role": role})
    except sqlite3.IntegrityError as error:
        if "UNIQUE" not in str(error):
            raise
        raise UserError(f"user {name!r} exists already") from None
    return User(name, role, False, created)


def get_user(con: sqlite3.Connection, name: str) -> User | None:
    ensure_users(con)
    row = con.execute(
        "SELECT name, role, disabled, created_at FROM users WHERE name = ?", [name]
    ).fetchone()
    return None if row is None else User(row[0], row[1], bool(row[2]), row[3])


def list_users(con: sqlite3.Connection) -> list[User]:
    ensure_users(con)
    rows = con.execute("SELECT name, role, disabled, created_at FROM users ORDER BY name")
    return [User(name, role, bool(disabled), created) for name, role, disabled, created in rows]


def disable_user(con: sqlite3.Connection, name: str, change: Change) -> bool:
    """Disable NAME, with its audit event in the same transaction; False when it was disabled
    already. Its sessions end with it (pipelines/user_sessions.py refuses a disabled user's
    session)."""
    user = get_user(con, name)
    if user is None:
        raise UserError(f"there is no user {name!r} (`oad users list` shows them)")
    if user.disabled:
        return False
    ensure_events(con)
    with con:
        con.execute("UPDATE users SET disabled = 1 WHERE name = ?", [name])
        insert_event(con, change, "user disabled", {"user": name})
    return True


def verify_password(con: sqlite3.Connection, name: str, password: str) -> User | None:
    """The user when NAME exists, is enabled and PASSWORD is theirs, else None."""
    ensure_users(con)
    row = con.execute("SELECT password_hash, disabled FROM users WHERE name = ?", [name]).fetchone()
    stored_hash, disabled = (row[0], bool(row[1])) if row else (_DUMMY_HASH, True)
    try:
        _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if disabled or row is None:
        return None
    if _hasher.check_needs_rehash(stored_hash):  # the hash parameters were raised since
        with con:
            con.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?", [_hasher.hash(password), name]
            )
    return get_user(con, name)
