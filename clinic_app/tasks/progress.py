"""The small task-state API that slow core functions take: report progress, poll for cancel."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from clinic_app.errors import OperationCancelledError


class ProgressReporter(Protocol):
    def report(self, done: int, total: int, message: str = "") -> None:
        """`total` 0 means unknown (a busy indicator)."""


class NullProgress:
    def report(self, done: int, total: int, message: str = "") -> None:
        return None


@dataclass
class RecordingProgress:
    """Keeps every report; used by tests and by callers that summarise afterwards."""

    events: list[tuple[int, int, str]] = field(default_factory=list)

    def report(self, done: int, total: int, message: str = "") -> None:
        self.events.append((done, total, message))


class CancelToken:
    """Set from any thread; the worker polls it at safe checkpoints."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise OperationCancelledError
