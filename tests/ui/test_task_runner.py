"""The task runner: results, errors, progress and cancel come back on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from clinic_app.errors import OperationCancelledError, ValidationError
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskRunner
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown()


def test_delivers_the_result_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    gui_thread = QThread.currentThread()
    seen: dict[str, object] = {}

    def work(_ctx: TaskContext) -> int:
        seen["worker"] = threading.current_thread().name
        return 42

    def on_success(value: int) -> None:
        seen["value"] = value
        seen["on_gui_thread"] = QThread.currentThread() is gui_thread

    handle = runner.run(Lane.DATABASE, work, on_success=on_success)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert seen["value"] == 42
    assert seen["on_gui_thread"] is True
    assert str(seen["worker"]).startswith("clinic-database")


def test_reports_a_failure_to_the_handle_and_not_as_unhandled(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    errors: list[BaseException] = []
    unhandled: list[object] = []
    runner.task_failed.connect(unhandled.append)

    def work(_ctx: TaskContext) -> None:
        raise ValidationError("bad", {"given_name": "Required."})

    handle = runner.run(Lane.DATABASE, work, on_failure=errors.append)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert isinstance(errors[0], ValidationError)
    assert errors[0].field_errors == {"given_name": "Required."}
    assert unhandled == []


def test_a_failure_nobody_handles_reaches_the_runner(qtbot: QtBot, runner: TaskRunner) -> None:
    def work(_ctx: TaskContext) -> None:
        raise RuntimeError("boom")

    with qtbot.waitSignal(runner.task_failed, timeout=5000) as blocker:
        runner.run(Lane.COMPUTE, work)
    assert isinstance(blocker.args[0], RuntimeError)


def test_cancelled_work_is_reported_as_cancelled_not_failed(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    started = threading.Event()
    release = threading.Event()
    failures: list[object] = []
    runner.task_failed.connect(failures.append)

    def work(ctx: TaskContext) -> None:
        started.set()
        release.wait(5)
        ctx.cancel.raise_if_cancelled()

    handle = runner.run(Lane.DATABASE, work)
    assert started.wait(5)
    handle.cancel()
    release.set()
    with qtbot.waitSignal(handle.cancelled, timeout=5000):
        pass
    assert failures == []


def test_a_task_cancelled_while_queued_never_runs(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    ran: list[str] = []
    first = runner.run(Lane.DATABASE, lambda _ctx: release.wait(5))
    second = runner.run(Lane.DATABASE, lambda _ctx: ran.append("second"))
    second.cancel()
    release.set()
    with qtbot.waitSignals([first.finished, second.cancelled], timeout=5000):
        pass
    assert ran == []


def test_one_lane_runs_one_task_at_a_time_in_order(qtbot: QtBot, runner: TaskRunner) -> None:
    order: list[int] = []
    active = []
    overlap = []

    def make(number: int):
        def work(_ctx: TaskContext) -> None:
            active.append(number)
            overlap.append(len(active) > 1)
            order.append(number)
            active.remove(number)

        return work

    handles = [runner.run(Lane.DATABASE, make(n)) for n in range(5)]
    with qtbot.waitSignals([h.finished for h in handles], timeout=5000):
        pass
    assert order == [0, 1, 2, 3, 4]
    assert not any(overlap)


def test_progress_reports_reach_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    reports: list[tuple[int, int, str]] = []

    def work(ctx: TaskContext) -> str:
        for done in range(1, 4):
            ctx.progress.report(done, 3, "step")
        return "done"

    handle = runner.run(Lane.COMPUTE, work)
    handle.progressed.connect(lambda d, t, m: reports.append((d, t, m)))
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    # Throttled, but the final report always arrives.
    assert reports[-1] == (3, 3, "step")


def test_shutdown_waits_for_running_work_and_quietly_refuses_new_work(
    runner: TaskRunner,
) -> None:
    started = threading.Event()
    release = threading.Event()
    ran: list[str] = []

    def slow(_ctx: TaskContext) -> None:
        started.set()
        release.wait(5)
        ran.append("slow")

    runner.run(Lane.NETWORK, slow)
    assert started.wait(5)
    threading.Timer(0.05, release.set).start()
    runner.shutdown()
    assert ran == ["slow"], "shutdown waited for the running task"
    assert runner.pending == 0
    late = runner.run(Lane.NETWORK, lambda _ctx: ran.append("late"))
    assert not late.running
    assert late.token.cancelled
    assert ran == ["slow"]


def test_the_work_function_is_plain_python_and_honours_a_cancelled_token() -> None:
    """Orange's habit: the worker function is testable without any event loop."""
    from clinic_app.tasks import CancelToken, RecordingProgress

    token = CancelToken()
    token.cancel()
    progress = RecordingProgress()

    def work(ctx: TaskContext) -> None:
        ctx.progress.report(0, 1, "start")
        ctx.cancel.raise_if_cancelled()

    with pytest.raises(OperationCancelledError):
        work(TaskContext(progress, token))
    assert progress.events == [(0, 1, "start")]


def test_a_result_for_a_destroyed_owner_is_dropped(qtbot: QtBot, runner: TaskRunner) -> None:
    """A window closed while its task ran must not get callbacks on its deleted widgets."""
    import shiboken6
    from PySide6.QtCore import QObject

    owner = QObject()
    release = threading.Event()
    delivered: list[object] = []
    handle = runner.run(
        Lane.DATABASE, lambda _ctx: release.wait(5), on_success=delivered.append, owner=owner
    )
    later = runner.run(Lane.DATABASE, lambda _ctx: "later")
    shiboken6.delete(owner)
    release.set()
    with qtbot.waitSignal(later.finished, timeout=5000):
        pass
    assert handle.orphaned
    assert delivered == []
