"""The seconds a matching run's steps take, kept by step name for the run's summary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def timed(clock: dict[str, float] | None, step: str) -> Iterator[None]:
    """Add the seconds the block takes to CLOCK[STEP]; without a clock, keep nothing."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if clock is not None:
            clock[step] = clock.get(step, 0.0) + time.perf_counter() - started
