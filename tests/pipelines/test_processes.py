"""Bulk work runs without Python's cycle collector, in this process and in worker processes,
and gets it back after."""

from __future__ import annotations

import gc

from pipelines.processes import bulk_work, in_processes


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
