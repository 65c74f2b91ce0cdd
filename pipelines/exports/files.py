"""Export files appear whole or not at all: each is written beside its final path under a
temporary name and renamed into place once every file of the export is complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path


@contextlib.contextmanager
def written_whole(paths: Sequence[Path], private: bool = False) -> Iterator[list[Path]]:
    """Temporary paths to write PATHS' content to (their folders made as needed); on success
    each is renamed to its path, on failure all are removed and no path is touched. PRIVATE
    files stay readable and writable by their owner alone from the moment they exist."""
    staged: list[Path] = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            os.close(handle)
            if not private:  # an ordinary new file, not mkstemp's 0600
                os.chmod(name, 0o666 & ~_umask())
            staged.append(Path(name))
        yield staged
        for temporary, path in zip(staged, paths, strict=True):
            os.replace(temporary, path)
    finally:
        for temporary in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
