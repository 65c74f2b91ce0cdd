from __future__ import annotations

import datetime as dt

import pytest

from pipelines.identifiers import check_identifier, check_lei


@pytest.mark.parametrize(
    ("raw", "kind", "id_type", "valid", "birth", "problem"),
    [
        ("91110108600040399G", "company", "uscc", True, None, None),
        ("9111 0108 6000 4039 9G", "company", "uscc", True, None, None),
        ("91110108600040399H", "company", None, False, None, "invalid Unified Social Credit Code"),
        ("11010519491231002X", "person", "ric", True, dt.date(1949, 12, 31), None),
        ("11010519491231002x", "person", "ric", True, dt.date(1949, 12, 31), None),
        ("110105194912310021", "person", None, False, None, "invalid resident ID number"),
        ("110105491231002", "person", None, False, None, "invalid resident ID number"),
        # a person's row carrying a valid company code keeps the code's own type
        ("91110108600040399G", "person", "uscc", True, None, None),
    ],
)
def test_check_identifier(
    raw: str,
    kind: str,
    id_type: str | None,
    valid: bool,
    birth: dt.date | None,
    problem: str | None,
) -> None:
    check = check_identifier(raw, kind)
    assert (check.id_type, check.valid, check.birth_date) == (id_type, valid, birth)
    if problem is None:
        assert check.problem is None
    else:
        assert check.problem is not None and check.problem.startswith(problem)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("110105194912310021", "wrong check character"),
        ("1101051949123100", "must be 18 characters"),
        ("440301196503120111", "unknown region code or impossible birth date"),
        ("110105194913310021", "unknown region code or impossible birth date"),
    ],
)
def test_problem_says_why(raw: str, why: str) -> None:
    assert check_identifier(raw, "person").problem == f"invalid resident ID number: {why}"


def test_lei() -> None:
    assert check_lei("8368 00FX O82W AQQS JI94") == ("836800FXO82WAQQSJI94", None)
    assert check_lei("836800FXO82WAQQSJI95") == (
        "836800FXO82WAQQSJI95",
        "invalid LEI: wrong check character",
    )
