"""Byte streams a reader wraps around a file: a head read already, then the rest; bytes read so
far told to a progress display; a UTF-16 file as UTF-8."""

from __future__ import annotations

import io
from typing import IO, Any

from pipelines.encoding import CHUNK
from pipelines.progress import Progress


class Utf8(io.RawIOBase):
    """A stream in a non-ASCII-compatible encoding (UTF-16), re-encoded as UTF-8 as it is read."""

    def __init__(self, stream: IO[bytes], head: bytes, encoding: str) -> None:
        prefixed = io.BufferedReader(Prefixed(head, stream))
        self._text = io.TextIOWrapper(prefixed, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = self._text.read(CHUNK).encode("utf-8")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._text.close()
        super().close()


class Counted(io.RawIOBase):
    """A file whose bytes read so far are told to PROGRESS."""

    def __init__(self, stream: IO[bytes], progress: Progress) -> None:
        self._stream, self._progress, self._read = stream, progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data: bytes = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self._read += len(data)
        self._progress.update(self._read)
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


class Prefixed(io.RawIOBase):
    """HEAD, then the rest of STREAM."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data: bytes = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()
