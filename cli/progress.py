"""Progress of long commands on a terminal, as Scrapy and pip users expect: the stage, how much
is done, the rate and the time left. Nothing is drawn when output is not a terminal or with
`oad --quiet`; the command's summary line follows either way."""

from __future__ import annotations

import sys
from typing import Any

import click

from pipelines.progress import QUIET, Progress


def progress_for(ctx: click.Context) -> Progress:
    """A progress display for this command: a bar on a terminal, else nothing."""
    quiet = (ctx.find_root().obj or {}).get("quiet", False)
    if quiet or not sys.stdout.isatty():
        return QUIET
    return TerminalProgress()


class TerminalProgress:
    """One line per stage, drawn by rich: a bar with the amount done, rate and time left when
    the stage's total is known; the amount done and rate when it is not."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._display: Any = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[amount]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        self._task: Any = None
        self._unit = "rows"
        self._total: float | None = None
        self._started = False

    def stage(self, name: str, total: float | None = None, unit: str = "rows") -> None:
        if not self._started:
            self._display.start()
            self._started = True
        self._close_stage()
        self._unit, self._total = unit, total
        self._task = self._display.add_task(name, total=total, amount="", rate="")

    def update(self, done: float) -> None:
        if self._task is None:
            self.stage("working")
        speed = self._display.tasks[-1].speed or 0.0
        of = f" of {_amount(self._total, self._unit)}" if self._total else ""
        self._display.update(
            self._task,
            completed=done,
            amount=f"{_amount(done, self._unit)}{of}",
            rate=f"{_amount(speed, self._unit)}/s" if speed else "",
        )

    def finish(self) -> None:
        if self._started:
            self._close_stage()
            self._display.stop()
            self._started = False

    def _close_stage(self) -> None:
        """The stage under way is over: its line shows it done."""
        if self._task is not None:
            done = self._display.tasks[-1].completed or 1
            self._display.update(self._task, total=done, completed=done)
            self._task = None


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        for scale, label in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "kB")):
            if value >= scale:
                return f"{value / scale:.1f} {label}"
        return f"{value:.0f} B"
    return f"{value:,.0f} {unit}"
