"""Workbench users, logins and sessions, and their events on the way to the audit log."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from pipelines.store import connect
from pipelines.user_sessions import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    SESSION_LIFE,
    LoginRefused,
    LoginThrottled,
    end_sessions_of,
    log_in,
    log_out,
    session_for,
)
from pipelines.users import UserError, add_user, disable_user, list_users
from pipelines.workbench_db import connect_workbench
from pipelines.workbench_events import (
    Change,
    copy_events_to_store,
    pending_events,
    record_event,
)

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
GOOD = "correct horse battery"
CHANGE = Change("cli:root", T0)


@pytest.fixture
def con(db_path: Path) -> Iterator[sqlite3.Connection]:
    with closing(connect_workbench(db_path)) as opened:
        add_user(opened, "ann", "investigator", GOOD, CHANGE)
        yield opened


@pytest.mark.parametrize(
    ("name", "role", "password", "refusal"),
    [
        ("", "viewer", GOOD, "user name ''"),
        ("has space", "viewer", GOOD, "user name 'has space'"),
        ("-dash", "viewer", GOOD, "user name '-dash'"),
        ("x" * 65, "viewer", GOOD, "user name"),
        ("bob", "owner", GOOD, "role 'owner': must be one of viewer, investigator, admin"),
        ("bob", "viewer", "short", "password: at least 10 characters"),
        ("ann", "viewer", GOOD, "user 'ann' exists already"),
    ],
)
def test_a_user_that_cannot_be_added_is_refused_by_name(
    con: sqlite3.Connection, name: str, role: str, password: str, refusal: str
) -> None:
    with pytest.raises(UserError, match=refusal.replace("(", r"\(")):
        add_user(con, name, role, password, CHANGE)
    assert [user.name for user in list_users(con)] == ["ann"]


def test_the_password_is_kept_only_as_an_argon2_hash(con: sqlite3.Connection) -> None:
    (stored,) = con.execute("SELECT password_hash FROM users WHERE name = 'ann'").fetchone()
    assert stored.startswith("$argon2id$")
    assert GOOD not in stored


@pytest.mark.parametrize(
    ("role", "may_view", "may_decide", "may_administer"),
    [
        ("viewer", True, False, False),
        ("investigator", True, True, False),
        ("admin", True, True, True),
    ],
)
def test_each_role_may_do_what_the_ones_below_it_may(
    con: sqlite3.Connection, role: str, may_view: bool, may_decide: bool, may_administer: bool
) -> None:
    user = add_user(con, f"u-{role}", role, GOOD, CHANGE)
    assert (user.may("viewer"), user.may("investigator"), user.may("admin")) == (
        may_view,
        may_decide,
        may_administer,
    )


@pytest.mark.parametrize(
    ("name", "password"), [("ann", "wrong password"), ("nobody", GOOD), ("ANN", GOOD)]
)
def test_a_wrong_name_or_password_opens_no_session(
    con: sqlite3.Connection, name: str, password: str
) -> None:
    with pytest.raises(LoginRefused, match="wrong name or password"):
        log_in(con, name, password, "10.0.0.1", T0)
    outcomes = con.execute("SELECT user_name, outcome FROM login_attempts").fetchall()
    assert outcomes == [(name, "failed")]


def test_a_login_opens_a_session_found_by_its_token_until_it_expires(
    con: sqlite3.Connection,
) -> None:
    session = log_in(con, "ann", GOOD, "10.0.0.1", T0)
    found = session_for(con, session.token, T0 + SESSION_LIFE - dt.timedelta(seconds=1))
    assert found is not None and found.user.name == "ann"
    assert found.csrf_token == session.csrf_token and len(found.csrf_token) >= 40
    assert session_for(con, session.token, T0 + SESSION_LIFE) is None
    assert session_for(con, session.token + "x", T0) is None
    # only the token's hash is kept: a copy of the database opens no session
    assert session.token not in {row[0] for row in con.execute("SELECT token_hash FROM sessions")}


def test_logging_out_and_disabling_end_sessions(con: sqlite3.Connection) -> None:
    first = log_in(con, "ann", GOOD, "10.0.0.1", T0)
    second = log_in(con, "ann", GOOD, "10.0.0.2", T0)
    log_out(con, first.token)
    assert session_for(con, first.token, T0) is None
    assert session_for(con, second.token, T0) is not None
    assert disable_user(con, "ann", CHANGE) is True
    assert session_for(con, second.token, T0) is None  # refused even before its sessions end
    end_sessions_of(con, "ann")
    assert con.execute("SELECT count(*) FROM sessions").fetchone() == (0,)
    assert disable_user(con, "ann", CHANGE) is False
    with pytest.raises(LoginRefused):
        log_in(con, "ann", GOOD, "10.0.0.1", T0)
    with pytest.raises(UserError, match="there is no user 'zed'"):
        disable_user(con, "zed", CHANGE)


@pytest.mark.parametrize(
    ("failures", "address", "later", "opens"),
    [
        (MAX_FAILURES - 1, "10.0.0.1", dt.timedelta(0), True),
        (MAX_FAILURES, "10.0.0.1", dt.timedelta(0), False),  # even the right password
        (MAX_FAILURES, "10.0.0.9", dt.timedelta(0), True),  # another address is not held back
        (MAX_FAILURES, "10.0.0.1", FAILURE_WINDOW, True),  # the window has passed
    ],
)
def test_failed_logins_past_the_limit_are_refused_for_a_while(
    con: sqlite3.Connection, failures: int, address: str, later: dt.timedelta, opens: bool
) -> None:
    for attempt in range(failures):
        with pytest.raises(LoginRefused):
            log_in(con, "ann", "wrong password", "10.0.0.1", T0 + dt.timedelta(seconds=attempt))
    moment = T0 + dt.timedelta(seconds=failures) + later
    if opens:
        assert log_in(con, "ann", GOOD, address, moment).user.name == "ann"
    else:
        with pytest.raises(LoginThrottled, match=r"too many failed logins.*after 09:15 UTC"):
            log_in(con, "ann", GOOD, address, moment)


def test_events_reach_the_audit_log_once_even_after_a_crash_between_the_writes(
    con: sqlite3.Connection, db_path: Path
) -> None:
    record_event(con, "web:ann", "user disabled", {"user": "bob"}, T0)
    record_event(con, "cli:root", "user added", {"user": "cy", "role": "viewer"}, T0)
    with connect(db_path) as store:
        assert copy_events_to_store(con, store) == 3  # with the fixture's user added
        # a crash after the audit row but before the journal was marked: unmark one
        con.execute("UPDATE workbench_events SET audit_id = NULL WHERE action = 'user added'")
        con.commit()
        assert copy_events_to_store(con, store) == 0
        rows = store.con.execute(
            "SELECT occurred_at, actor, action, details->>'$.user' FROM audit_log"
            " WHERE action LIKE 'user %' ORDER BY audit_id"
        ).fetchall()
    assert rows == [
        (dt.datetime(2025, 3, 1, 9, 0), "cli:root", "user added", "ann"),
        (dt.datetime(2025, 3, 1, 9, 0), "web:ann", "user disabled", "bob"),
        (dt.datetime(2025, 3, 1, 9, 0), "cli:root", "user added", "cy"),
    ]
    assert pending_events(con) == []


def test_a_user_change_and_its_audit_event_are_written_together(con: sqlite3.Connection) -> None:
    assert [(e.actor, e.action, e.details) for e in pending_events(con)] == [
        ("cli:root", "user added", {"user": "ann", "role": "investigator"})
    ]
    disable_user(con, "ann", Change("web:ada", T0))
    assert pending_events(con)[-1].action == "user disabled"
    # a change refused leaves no event behind it
    with pytest.raises(UserError):
        add_user(con, "ann", "viewer", GOOD, CHANGE)
    assert [e.action for e in pending_events(con)] == ["user added", "user disabled"]


def test_no_user_is_added_when_its_event_cannot_be_written(con: sqlite3.Connection) -> None:
    con.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON workbench_events"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        add_user(con, "bob", "viewer", GOOD, CHANGE)
    assert [user.name for user in list_users(con)] == ["ann"]
