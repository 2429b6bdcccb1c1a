"""One sync at a time per data directory, across processes (the GUI's timer and a CLI run).

An OS file lock (released by the OS if the process dies, so a killed sync never leaves it held).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from clinic_app.sync.errors import SyncError

LOCK_FILE = "sync.lock"


class SyncRunningError(SyncError):
    pass


class RunLock:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / LOCK_FILE
        self._handle: IO[bytes] | None = None

    def __enter__(self) -> Self:
        handle = open(self._path, "a+b")
        try:
            _lock(handle)
        except OSError as exc:
            handle.close()
            raise SyncRunningError("A sync is already running on this workstation.") from exc
        self._handle = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            self._handle.close()
            self._handle = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
