"""What a crawl keeps beside Scrapy's own queue: its crawl id, the requests scheduled but not yet
fully processed (re-issued on resume, since Scrapy drops the ones in flight when it stops), how
many items it has staged, and where its staged batches are.

A resumable crawl (one with a job directory) keeps all of it there until it is done. Any other
crawl stages in the folder its runner gave it, which the runner removes when the crawl ends,
however it ends."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

_STATE = "oad-resume.pickle"
_STAGED = "oad-staged"


class ResumeState:
    def __init__(self, jobdir: str | None, staging: str | None = None) -> None:
        self.jobdir = Path(jobdir) if jobdir else None
        self.staging = Path(staging) if staging else None
        self.crawl_id: int | None = None
        self.pending: dict[str, dict[str, Any]] = {}  # fingerprint -> request as a dict
        self.items = 0  # staged so far, over every run of a resumed crawl
        if self.jobdir and (self.jobdir / _STATE).is_file():
            with (self.jobdir / _STATE).open("rb") as handle:
                saved = pickle.load(handle)  # our own file, written below
            self.crawl_id, self.pending = saved["crawl_id"], saved["pending"]
            self.items = saved.get("items", 0)
        self.resumed = self.crawl_id is not None

    @property
    def staging_dir(self) -> Path:
        """Where staged batches wait for the final merge: kept across a pause when resumable."""
        if self.jobdir:
            path = self.jobdir / _STAGED
        elif self.staging:
            path = self.staging
        else:
            raise ValueError("a crawl needs a job directory or a staging folder")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def scheduled(self, fingerprint: str, request: dict[str, Any]) -> None:
        if self.jobdir and fingerprint not in self.pending:
            self.pending[fingerprint] = request
            self.save()

    def finished(self, fingerprint: str, items: int) -> None:
        """A response's items are all staged: it needs no fetching again."""
        self.items = items
        if self.pending.pop(fingerprint, None) is not None:
            self.save()

    def save(self) -> None:
        if not self.jobdir:
            return
        self.jobdir.mkdir(parents=True, exist_ok=True)
        temp = self.jobdir / (_STATE + ".tmp")
        with temp.open("wb") as handle:
            state = {"crawl_id": self.crawl_id, "pending": self.pending, "items": self.items}
            pickle.dump(state, handle)
        os.replace(temp, self.jobdir / _STATE)

    def clear(self) -> None:
        """The crawl is over (merged, or failed for good): nothing is left to resume."""
        for folder in (self.staging, self.jobdir):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)
