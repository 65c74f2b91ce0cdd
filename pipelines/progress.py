"""How long-running work tells where it is: a stage, how far along, and of how much.

The library reports; a face decides what to show (the command line draws a progress bar on a
terminal, a flow may log). Work that is given no reporter reports to QUIET.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: float | None = None, unit: str = "rows") -> None:
        """A new stage begins: TOTAL of UNIT to do, when known."""

    def update(self, done: float) -> None:
        """So much of the current stage is done (not an increment)."""

    def finish(self) -> None:
        """The work is over: nothing more will be reported."""


class _Quiet:
    def stage(self, name: str, total: float | None = None, unit: str = "rows") -> None:
        pass

    def update(self, done: float) -> None:
        pass

    def finish(self) -> None:
        pass


QUIET: Progress = _Quiet()
