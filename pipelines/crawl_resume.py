"""What a resumable crawl keeps in its job directory besides Scrapy's own queue: its crawl id and
the requests scheduled but not yet fully processed (re-issued on resume, since Scrapy drops the
ones in flight when it stops)."""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

_STATE = "oad-resume.pickle"
_STAGED = "oad-staged"


class ResumeState:
    def __init__(self, jobdir: str | None) -> None:
        self.jobdir = Path(jobdir) if jobdir else None
        self.crawl_id: int | None = None
        self.pending: dict[str, dict[str, Any]] = {}  # fingerprint -> request as a dict
        self._temp: str | None = None
        if self.jobdir and (self.jobdir / _STATE).is_file():
            with (self.jobdir / _STATE).open("rb") as handle:
                saved = pickle.load(handle)  # our own file, written below
            self.crawl_id, self.pending = saved["crawl_id"], saved["pending"]
        self.resumed = self.crawl_id is not None

    @property
    def staging_dir(self) -> Path:
        """Where staged batches wait for the final merge: kept across a pause when resumable."""
        if self.jobdir:
            path = self.jobdir / _STAGED
        else:
            self._temp = self._temp or tempfile.mkdtemp(prefix="oad-staged-")
            path = Path(self._temp)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def scheduled(self, fingerprint: str, request: dict[str, Any]) -> None:
        if self.jobdir and fingerprint not in self.pending:
            self.pending[fingerprint] = request
            self.save()

    def finished(self, fingerprint: str) -> None:
        if self.pending.pop(fingerprint, None) is not None:
            self.save()

    def save(self) -> None:
        if not self.jobdir:
            return
        self.jobdir.mkdir(parents=True, exist_ok=True)
        temp = self.jobdir / (_STATE + ".tmp")
        with temp.open("wb") as handle:
            pickle.dump({"crawl_id": self.crawl_id, "pending": self.pending}, handle)
        os.replace(temp, self.jobdir / _STATE)

    def clear(self) -> None:
        """The crawl is over (merged or failed for good): nothing is left to resume."""
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)
        if self.jobdir:
            shutil.rmtree(self.jobdir, ignore_errors=True)
