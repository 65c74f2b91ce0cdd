"""The workbench's requests without a browser: login, roles, CSRF, headers, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import HOSTILE_NAME, PASSWORD
from web.app import create_app


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def logged_in(store_path: Path, name: str) -> tuple[TestClient, str]:
    """A client with NAME's session, and that session's CSRF token."""
    client = TestClient(create_app(store_path))
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/runs"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client, csrf_of(client.get("/runs").text)


def test_pages_need_a_login_and_come_back_after_it(workbench_store: Path) -> None:
    client = TestClient(create_app(workbench_store))
    response = client.get("/audit?page=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faudit%3Fpage%3D2"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_the_login_goes_back_only_to_this_site(workbench_store: Path, target: str) -> None:
    client = TestClient(create_app(workbench_store))
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": "vic", "password": PASSWORD, "csrf_token": token, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_the_session_cookie_is_httponly_and_same_site_strict(workbench_store: Path) -> None:
    client = TestClient(create_app(workbench_store))
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": "vic", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if "oad_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_login_without_its_csrf_token_is_refused(workbench_store: Path) -> None:
    client = TestClient(create_app(workbench_store))
    client.get("/login")
    response = client.post("/login", data={"name": "vic", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("vic", "/runs", 200),
        ("vic", "/audit", 403),
        ("vic", "/users", 403),
        ("ian", "/audit", 403),
        ("ada", "/audit", 200),
        ("ada", "/users", 200),
    ],
)
def test_each_page_answers_the_roles_it_is_for(
    workbench_store: Path, user: str, path: str, status: int
) -> None:
    client, _ = logged_in(workbench_store, user)
    assert client.get(path).status_code == status


@pytest.mark.parametrize(
    ("user", "with_token", "status"),
    [
        ("vic", True, 403),  # a viewer's forged POST, even with her own valid token
        ("ian", True, 403),
        ("ada", False, 403),  # the admin, but no CSRF token
        ("ada", True, 303),
    ],
)
def test_disabling_a_user_needs_the_admin_and_the_session_token(
    workbench_store: Path, user: str, with_token: bool, status: int
) -> None:
    client, token = logged_in(workbench_store, user)
    data = {"csrf_token": token} if with_token else {}
    response = client.post("/users/vic/disable", data=data, follow_redirects=False)
    assert response.status_code == status
    admin, _ = logged_in(workbench_store, "ada")
    row = re.search(r"<td>vic</td>.*?<td>(active|disabled)</td>", admin.get("/users").text, re.S)
    assert row and row.group(1) == ("disabled" if status == 303 else "active")


def test_a_disabled_user_is_logged_out_at_once(workbench_store: Path) -> None:
    viewer, _ = logged_in(workbench_store, "vic")
    admin, token = logged_in(workbench_store, "ada")
    admin.post("/users/vic/disable", data={"csrf_token": token})
    assert viewer.get("/runs", follow_redirects=False).status_code == 303


def test_logout_needs_the_token_and_ends_the_session(workbench_store: Path) -> None:
    client, token = logged_in(workbench_store, "vic")
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/runs").status_code == 200
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/runs", follow_redirects=False).status_code == 303


def test_every_page_carries_the_security_headers(workbench_store: Path) -> None:
    client, _ = logged_in(workbench_store, "ada")
    for path in ("/login", "/runs", "/audit", "/static/style.css"):
        headers = client.get(path).headers
        assert headers["content-security-policy"].startswith("default-src 'self'")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_the_audit_log_is_shown_newest_first_as_text(workbench_store: Path) -> None:
    client, _ = logged_in(workbench_store, "ada")
    html = client.get("/audit").text
    assert HOSTILE_NAME not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;許家印" in html
    actions = re.findall(r"<td>(crawl|review|export)</td>", html)
    assert actions == ["export", "review", "crawl"]


def test_the_audit_log_is_paged(workbench_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from web.routes import admin

    monkeypatch.setattr(admin, "AUDIT_PER_PAGE", 2)
    client, _ = logged_in(workbench_store, "ada")
    first, second = client.get("/audit").text, client.get("/audit?page=2").text
    assert re.findall(r"<td>(crawl|review|export)</td>", first) == ["export", "review"]
    assert re.findall(r"<td>(crawl|review|export)</td>", second) == ["crawl"]
    assert 'rel="next"' in first and 'rel="next"' not in second


def test_the_runs_page_lists_runs_newest_first(workbench_store: Path) -> None:
    client, _ = logged_in(workbench_store, "vic")
    html = client.get("/runs").text
    assert re.findall(r"<td>(match|leads|discovery)</td>", html) == ["discovery", "leads", "match"]
    assert "links 412" in html


@pytest.mark.parametrize(
    ("user", "nav"),
    [
        ("vic", ["Search", "Runs", "Exports"]),
        ("ian", ["Search", "Review queue", "Runs", "Exports"]),
        ("ada", ["Search", "Review queue", "Runs", "Exports", "Audit", "Users"]),
    ],
)
def test_the_header_lists_the_pages_the_role_may_see(
    workbench_store: Path, user: str, nav: list[str]
) -> None:
    client, _ = logged_in(workbench_store, user)
    header = client.get("/runs").text.split('<nav aria-label="main">')[1].split("</nav>")[0]
    assert re.findall(r">([A-Za-z ]+)</a>", header) == nav
