"""Runs slow work off the GUI thread, one task at a time per lane.

In the spirit of Anki's `taskman.py` and Orange's `run()` functions: a task is a plain function
that takes a `TaskContext` (a progress reporter and a cancel token) and returns a value. It runs
on its lane's single worker thread; its result, error or cancellation comes back on the GUI thread
through the handle's signals. The task function must never touch a widget.

Lanes: `DATABASE` (every service call; SQLite has one writer), `COMPUTE` (inference, imports),
`NETWORK` (sync). `OperationCancelledError` is not an error: the handle says `cancelled`.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import OperationCancelledError
from clinic_app.tasks import CancelToken, ProgressReporter

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.05


class Lane(StrEnum):
    DATABASE = "database"
    COMPUTE = "compute"
    NETWORK = "network"


@dataclass(frozen=True)
class TaskContext:
    progress: ProgressReporter
    cancel: CancelToken


TaskFunction = Callable[[TaskContext], Any]


class TaskHandle(QObject):
    """One submitted task. Lives on the GUI thread; its signals fire there."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, task_id: int, lane: Lane, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.task_id = task_id
        self.lane = lane
        self.label = label
        self.token = CancelToken()
        self.running = True
        self.handles_failure = False
        self.owner: QObject | None = None

    @property
    def orphaned(self) -> bool:
        """The owner it reports to is gone."""
        return self.owner is not None and not shiboken6.isValid(self.owner)

    def cancel(self) -> None:
        self.token.cancel()


class _Relay(QObject):
    """Emitted from worker threads; its slots run on the GUI thread (queued connection)."""

    completed = Signal(int, object, object)
    progressed = Signal(int, int, int, str)


class _ThrottledProgress:
    """The `ProgressReporter` a task sees: forwards at most every 50 ms, plus the last report
    and every change of step (a new message), so no stage of the work goes unannounced."""

    def __init__(self, relay: _Relay, task_id: int) -> None:
        self._relay = relay
        self._task_id = task_id
        self._last_sent = 0.0
        self._last_message: str | None = None

    def report(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if (
            done >= total > 0
            or message != self._last_message
            or now - self._last_sent >= PROGRESS_INTERVAL_S
        ):
            self._last_sent = now
            self._last_message = message
            self._relay.progressed.emit(self._task_id, done, total, message)


class TaskRunner(QObject):
    """Owns one single-worker executor per lane. Create it on the GUI thread."""

    # A task failed and nobody handled its failure: the application shows it.
    task_failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executors: dict[Lane, ThreadPoolExecutor] = {}
        self._handles: dict[int, TaskHandle] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._relay = _Relay()
        self._relay.completed.connect(self._on_relay_completed)
        self._relay.progressed.connect(self._on_relay_progressed)

    def run(
        self,
        lane: Lane,
        function: TaskFunction,
        *,
        label: str = "",
        on_success: Callable[[Any], object] | None = None,
        on_failure: Callable[[BaseException], object] | None = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """Queue `function` on `lane`. `label` names the task in logs (never patient data).

        After `shutdown` (the application is closing) the work is refused quietly: the handle
        comes back already finished and none of its signals will fire.

        `owner` (usually the calling controller) ties the result to a Qt object: if the owner
        was destroyed meanwhile (its window closed), the result is dropped instead of being
        delivered to callbacks that would touch deleted widgets."""
        task_id = next(self._ids)
        handle = TaskHandle(task_id, lane, label or getattr(function, "__name__", "task"))
        handle.owner = owner
        if self._closed:
            log.info("task refused after shutdown: %s", handle.label)
            handle.running = False
            handle.cancel()
            return handle
        if on_success is not None:
            handle.succeeded.connect(on_success)
        if on_failure is not None:
            handle.failed.connect(on_failure)
            handle.handles_failure = True
        self._handles[task_id] = handle
        self._executor(lane).submit(self._execute, task_id, function, handle.token)
        return handle

    @property
    def pending(self) -> int:
        return len(self._handles)

    def shutdown(self) -> None:
        """Cancel everything, drop queued tasks and wait for the running ones to return."""
        self._closed = True
        for handle in self._handles.values():
            handle.cancel()
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=True)
        self._executors.clear()
        self._handles.clear()

    def _executor(self, lane: Lane) -> ThreadPoolExecutor:
        executor = self._executors.get(lane)
        if executor is None:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"clinic-{lane}")
            self._executors[lane] = executor
        return executor

    def _execute(self, task_id: int, function: TaskFunction, token: CancelToken) -> None:
        """Runs on the lane's worker thread: no widgets here."""
        progress = _ThrottledProgress(self._relay, task_id)
        try:
            token.raise_if_cancelled()
            result = function(TaskContext(progress, token))
        except OperationCancelledError as exc:
            self._relay.completed.emit(task_id, None, exc)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self._relay.completed.emit(task_id, None, exc)
        else:
            self._relay.completed.emit(task_id, result, None)

    @Slot(int, object, object)
    def _on_relay_completed(self, task_id: int, result: object, error: object) -> None:
        handle = self._handles.pop(task_id, None)
        if handle is None or self._closed:
            return
        handle.running = False
        if handle.orphaned:
            log.info("result dropped, its owner is gone: %s", handle.label)
            return
        if isinstance(error, OperationCancelledError):
            handle.cancelled.emit()
        elif isinstance(error, BaseException):
            log.info("task failed: %s (%s)", handle.label, type(error).__name__)
            handle.failed.emit(error)
            if not handle.handles_failure:
                self.task_failed.emit(error)
        else:
            handle.succeeded.emit(result)
        handle.finished.emit()

    @Slot(int, int, int, str)
    def _on_relay_progressed(self, task_id: int, done: int, total: int, message: str) -> None:
        handle = self._handles.get(task_id)
        if handle is not None and not self._closed and not handle.orphaned:
            handle.progressed.emit(done, total, message)
