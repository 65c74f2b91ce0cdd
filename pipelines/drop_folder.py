"""Vendor files a bank drops in a folder for the next discovery run: `<folder>/debtors/*` is an
updated debtor list, `<folder>/<source>/*` records of SOURCE (a purchased register extract). Each
file is imported in its own transaction, then moved to `<folder>/imported/<stamp>/`; a file that
cannot be imported is moved to `<folder>/failed/<stamp>/` beside a `.reason.txt` saying why, so
nothing is imported twice and nothing is silently skipped."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.debtors import import_debtors
from pipelines.errors import OadError
from pipelines.records import import_records
from pipelines.store import connect

DEBTORS = "debtors"
DONE, FAILED = "imported", "failed"


@dataclass(frozen=True)
class DroppedFile:
    path: Path
    source: str  # 'debtors' or the store's source the records go to


@dataclass(frozen=True)
class DropOutcome:
    file: str
    source: str
    status: str  # 'imported' or 'failed'
    summary: str  # the import's counts, or why it failed
    moved_to: str


def pending_files(folder: Path) -> list[DroppedFile]:
    """The files waiting in FOLDER's source folders, oldest first (then by name)."""
    found = []
    for source_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        if source_folder.name in (DONE, FAILED) or source_folder.name.startswith("."):
            continue
        for path in source_folder.iterdir():
            if path.is_file() and not path.name.startswith("."):
                found.append(DroppedFile(path, source_folder.name))
    return sorted(found, key=lambda f: (f.path.stat().st_mtime, str(f.path)))


def import_dropped(
    dropped: DroppedFile, folder: Path, stamp: str, db_path: str | os.PathLike[str] | None
) -> DropOutcome:
    """Import one dropped file (the store open only while it does), then move it away."""
    try:
        with connect(db_path) as store:
            if dropped.source == DEBTORS:
                counts = import_debtors(store, dropped.path)
            else:
                counts = import_records(store, dropped.path, dropped.source)
    except (OadError, OSError, ValueError) as error:
        moved = _move(dropped, folder / FAILED / stamp)
        moved.with_name(moved.name + ".reason.txt").write_text(f"{error}\n", encoding="utf-8")
        return DropOutcome(str(dropped.path), dropped.source, "failed", str(error), str(moved))
    moved = _move(dropped, folder / DONE / stamp)
    return DropOutcome(str(dropped.path), dropped.source, "imported", counts.summary(), str(moved))


def _move(dropped: DroppedFile, to: Path) -> Path:
    target = to / dropped.source / dropped.path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.move(dropped.path, target))
