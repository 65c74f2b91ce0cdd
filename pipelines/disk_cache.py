"""Tables built from data files, kept on disk between processes.

Reading the name lexicon (860,000 rows) and the Chinese dictionary into Python tables takes
seconds, and every `oad` command that compares names did it again. The built tables are kept
in the user's cache folder under a digest of everything they are built from: the data files'
bytes, the code that reads them and the Python version. A changed file or changed reading code
gives a new digest, so a stale table is never read; a folder that cannot be written only means
the tables are built each time, as before. A kept table is a pickle, which can run code when
read, so only a file of the user's own that nobody else may write is read.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterable
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar, cast

from pipelines.exports.files import written_whole

T = TypeVar("T")
FORMAT = "1"  # raised when what a cache file holds changes shape
log = logging.getLogger(__name__)


def cache_folder() -> Path:
    """OAD_CACHE_DIR, else $XDG_CACHE_HOME/oad, else ~/.cache/oad."""
    configured = os.environ.get("OAD_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "oad"


def digest(sources: Iterable[Traversable | bytes]) -> str:
    """One hex digest of the cache format, the Python version and each source's bytes."""
    hashed = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]}".encode())
    for source in sources:
        if isinstance(source, bytes):
            data = source
        else:  # a data file that is not there is read as empty by its reader
            data = source.read_bytes() if source.is_file() else b"\0missing"
        hashed.update(len(data).to_bytes(8, "little"))
        hashed.update(data)
    return hashed.hexdigest()


def cached(name: str, sources: Iterable[Traversable | bytes], build: Callable[[], T]) -> T:
    """BUILD's result, read from the cache folder when a process has built it from the same
    SOURCES (the data files it reads and the module that reads them); else built, and kept."""
    path = cache_folder() / f"{name}-{digest(sources)[:32]}.pickle"
    found = _read(path)
    if found is not None:
        return cast(T, found[0])
    built = build()
    if _ours_or_absent(path):  # a damaged file of ours is replaced; another's is left alone
        _keep(path, built)
    return built


def _read(path: Path) -> tuple[object] | None:
    """What the file at PATH holds (in a tuple, as it may be None); None when it is not there,
    cannot be read whole, or is not to be trusted."""
    try:
        kept = path.open("rb")
    except OSError as error:  # not kept yet, or no folder to keep it in: built, quietly
        log.info("%s: not read (%s)", path, error)
        return None
    with kept:
        if not _trusted(os.fstat(kept.fileno())):
            log.warning("%s: not the user's own, or others may write it; not read", path)
            return None
        try:
            return (pickle.load(kept),)
        except Exception as error:  # a file cut short or from another format: built again
            log.warning("%s: unreadable (%s), building it again", path, error)
            return None


def _trusted(status: os.stat_result) -> bool:
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _ours_or_absent(path: Path) -> bool:
    try:
        return _trusted(path.stat())
    except OSError:
        return True


def _keep(path: Path, value: object) -> None:
    """Write VALUE to PATH whole or not at all: another process reads it only once renamed."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with written_whole([path], private=True) as (staged,), staged.open("wb") as written:
            pickle.dump(value, written, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as error:
        log.info("%s: not kept (%s)", path, error)


def module_source(module_name: str) -> bytes:
    """The source of an imported module, part of a cache's digest: changed code, new tables."""
    module = sys.modules[module_name]
    return Path(module.__file__ or "").read_bytes()
