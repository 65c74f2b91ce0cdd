"""Bulk work runs without Python's cycle collector, in this process and in worker processes,
and gets it back after."""

from __future__ import annotations

import gc
import os

from pipelines.processes import bulk_work, in_processes, with_forks


def _collector_on(number: int) -> tuple[int, bool]:
    return number, gc.isenabled()


def test_bulk_work_pauses_the_collector_and_gives_it_back() -> None:
    assert gc.isenabled()
    with bulk_work():
        assert not gc.isenabled()
        with bulk_work():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause holds
    assert gc.isenabled()


def test_bulk_work_gives_the_collector_back_after_an_error() -> None:
    try:
        with bulk_work():
            raise ValueError("stop")
    except ValueError:
        pass
    assert gc.isenabled()


def test_workers_run_without_the_collector_and_keep_the_calls_order() -> None:
    found = list(in_processes(_collector_on, ((n,) for n in range(6)), 2))
    assert found == [(n, False) for n in range(6)]
    assert gc.isenabled()


# built before the fork: the forked worker reads it, as the work below does
_BUILT_HERE: dict[int, str] = {}


def _read_what_was_built(number: int) -> tuple[int, str, int]:
    return number, _BUILT_HERE[number], os.getpid()


def test_forked_workers_read_what_this_process_built_and_keep_the_calls_order() -> None:
    _BUILT_HERE.update({n: f"name {n}" for n in range(7)})
    try:
        found = with_forks(_read_what_was_built, [(n,) for n in range(7)], 2)
    finally:
        _BUILT_HERE.clear()
    assert [(n, name) for n, name, _ in found] == [(n, f"name {n}") for n in range(7)]
    here = {pid for n, _, pid in found if n % 2 == 0}
    forked = {pid for n, _, pid in found if n % 2 == 1}
    assert here == {os.getpid()} and len(forked) == 1 and forked != here
    assert with_forks(_read_what_was_built, [], 2) == []
