"""Errors a user can act on: each names the file, and where it can, the line and field."""

from __future__ import annotations


class OadError(Exception):
    """An error shown to the user as a one-line message, without a traceback."""


DEFAULT_WAIT = 5.0  # seconds a command waits for a store another process is using


class StoreInUseError(OadError):
    """Another process held the store longer than this one would wait."""


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
