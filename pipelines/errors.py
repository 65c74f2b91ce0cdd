"""Errors a user can act on: each names the file, and where it can, the line and field."""

from __future__ import annotations


class OadError(Exception):
    """An error shown to the user as a one-line message, without a traceback."""


DEFAULT_WAIT = 5.0  # seconds a command waits for a store another process is using


class StoreInUseError(OadError):
    """Another process held the store longer than this one would wait."""


class RemovalsHeld(OadError):
    """A snapshot would mark more of a source's live rows removed than is believable: nothing
    of it was applied."""

    def __init__(self, table: str, removing: int, live: int, share: float) -> None:
        self.table, self.removing, self.live, self.share = table, removing, live, share
        super().__init__(
            f"held: this snapshot would mark {removing:,} of {live:,} live {table} removed"
            f" ({removing / live:.0%}, more than the {share:.0%} allowed), so nothing of it was"
            " applied; if the source really lost them, run it again with --accept-removals"
        )


def os_error_text(error: OSError) -> str:
    """An operating system's refusal in one line: the file and the reason."""
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def disk_full(error: BaseException) -> bool:
    """Whether ERROR (DuckDB's or the system's) says the disk is full."""
    text = str(error).lower()
    return "no space left" in text or "disk is full" in text or "disk full" in text


class InputFileError(OadError):
    """A file that cannot be read at all; nothing is written."""

    def __init__(
        self, file: str, reason: str, line: int | None = None, field: str | None = None
    ) -> None:
        self.file, self.reason, self.line, self.field = file, reason, line, field
        where = file if line is None else f"{file}, line {line}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")
