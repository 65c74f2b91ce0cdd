"""Files oad writes for people (exports, charts): whole or not at all, and a refusal that names
the file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def text_file(path: Path, newline: str | None = None) -> Iterator[TextIO]:
    """PATH opened for writing UTF-8 text. If writing fails (a full disk), a regular file this
    made is removed rather than left half written, and the error names PATH."""
    existed = path.exists()
    try:
        with path.open("w", encoding="utf-8", newline=newline) as handle:
            yield handle
    except BaseException as error:
        if not existed and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()
        if isinstance(error, OSError) and not error.filename:
            raise OSError(error.errno, error.strerror or str(error), os.fspath(path)) from None
        raise
