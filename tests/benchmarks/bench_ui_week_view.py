"""A busy clinic's week view: from the data in hand to the painted grid.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_ui_week_view.py \
        [--doctors 50] [--days 14] [--repeat 30] [--data-dir DIR]

The store is bench_scheduling's (`open_seeded_store`: `--doctors` doctors in 5 specialities,
Monday to Friday 08:00–12:00 and 13:00–17:00 Europe/Berlin in 15-minute slots through the real
`SlotService`, ~70 % booked), over `--days` days; kept under /tmp/clinic_ui_bench/week_view/
and reused. The real calendar tab (`CalendarPanelView`, offscreen, 1190×690: the page's share
of a 1366×768 window) shows the whole clinic's first week.

Timed, per run (ms):
- service:  `CalendarService.week_view` for the whole clinic: the bare service call, the
            baseline (it runs on the database lane in the app);
- layout:   `build_layout` (plain Python; on the database lane in the app too);
- show+paint: `CalendarController.show_layout` (hands the layout to the grid) and a
            synchronous repaint of the grid's viewport (`repaint()`): what the GUI thread does;
- total:    layout + show+paint, the goal's "from data in hand to painted" (<= 100 ms);
then the same for one doctor's week and the clinic's day (50 columns), a scroll to the far
right of the clinic week, and the page's own reload path (service and layout on the database
lane, then the paint) from `reload()` to painted. No asserts on time: it reports.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_scheduling import DESK, FIRST_DAY, NOW, _scheduling, open_seeded_store  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path("/tmp/clinic_ui_bench/week_view")
SIZE = (1190, 690)


def quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Samples:
    """Wall-clock and this thread's CPU milliseconds. The machine may be shared and loaded:
    the CPU figures show what the work itself costs."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    def __add__(self, other: Samples) -> Samples:
        total = Samples()
        for a, b, c, d in zip(self.wall, other.wall, self.cpu, other.cpu, strict=True):
            total.add(a + b, c + d)
        return total


def line(label: str, samples: Samples, note: str = "") -> str:
    wall, cpu = samples.wall, samples.cpu
    return (
        f"  {label:<12} wall p50 {statistics.median(wall):6.1f}  p95 {quantile(wall, 0.95):6.1f}"
        f"  max {max(wall):6.1f} | cpu p50 {statistics.median(cpu):6.1f}"
        f"  p95 {quantile(cpu, 0.95):6.1f}{note}"
    )


def timed(samples: Samples, call: Callable[[], object]) -> object:
    started, cpu_started = time.perf_counter(), time.thread_time()
    result = call()
    samples.add((time.perf_counter() - started) * 1000, (time.thread_time() - cpu_started) * 1000)
    _restore_none()
    return result


_NONE_REFS = [sys.getrefcount(None)]


def _restore_none() -> None:
    """PySide6 6.12.0 on CPython 3.11 drops a reference to None on every call of a Qt method
    that returns nothing (Python 3.12+ makes None immortal; PySide6 6.11.3 does not do it).
    A repaint makes thousands of such calls, so a long run would abort with "deallocating
    None". Outside the timed parts, give back what was lost so the benchmark can finish."""
    lost = _NONE_REFS[0] - sys.getrefcount(None)
    for _ in range(max(0, lost)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    _NONE_REFS[0] = sys.getrefcount(None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--doctors", type=int, default=50)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or ROOT / f"{args.doctors}x{args.days}" / "data"
    data_dir.parent.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication([])
    from clinic_app.ui.scheduling.calendar_controller import CalendarController
    from clinic_app.ui.scheduling.calendar_layout import CalendarMode, build_layout
    from clinic_app.ui.scheduling.calendar_panel_view import CalendarPanelView
    from clinic_app.ui.shell.shell_page import PageContext
    from clinic_app.ui.style import apply_style
    from clinic_app.ui.tasks.task_runner import TaskRunner

    apply_style(app)  # type: ignore[arg-type]
    services = open_seeded_store(data_dir, args.doctors, args.days)
    services.scheduling = _scheduling(services)  # the benchmark's fixed clock
    desk = services.accounts.login(*DESK)
    runner = TaskRunner()
    view = CalendarPanelView(can_book=True)
    view.resize(*SIZE)
    view.show()
    controller = CalendarController(view, PageContext(services, desk, runner), lambda: NOW)
    loop = QEventLoop()
    controller.doctors_loaded.connect(loop.quit)
    controller.ensure_loaded()
    loop.exec()
    loaded = QEventLoop()
    controller.calendar_shown.connect(loaded.quit)
    loaded.exec()  # the first reload after the doctors
    grid = view.grid
    calendar = services.scheduling.calendar
    doctor = controller.profiles[0].doctor_id

    def run(label: str, fetch: Callable[[], object], mode: CalendarMode) -> None:
        controller.mode = mode
        service, layout_time, paint = Samples(), Samples(), Samples()
        for _ in range(args.repeat):
            data = timed(service, fetch)
            layout = timed(layout_time, lambda data=data: build_layout(data, mode))  # type: ignore[arg-type]

            def show(layout: object = layout) -> None:
                controller.show_layout(layout)  # type: ignore[arg-type]
                grid.viewport().repaint()

            timed(paint, show)
            app.processEvents()
            _restore_none()
        entries = grid.layout_data.entry_count
        print(f"\n{label}: {len(grid.layout_data.columns)} columns, {entries:,} entries")
        print(line("service", service, "  (baseline: the bare service call)"))
        print(line("layout", layout_time))
        print(line("show+paint", paint))
        print(line("total", layout_time + paint, "  (goal <= 100 ms, data in hand to painted)"))

    monday = FIRST_DAY
    view_data = calendar.week_view(desk, monday)
    booked = sum(1 for c in view_data.columns for e in c.entries if e.appointment)
    print(
        f"store {data_dir}: {args.doctors} doctors; week of {monday}: "
        f"{sum(len(c.entries) for c in view_data.columns):,} entries, {booked:,} appointments"
    )
    run("clinic week", lambda: calendar.week_view(desk, monday), CalendarMode.WEEK)
    scroll = Samples()
    for _ in range(args.repeat):
        for value in (grid.horizontalScrollBar().maximum(), 0):
            grid.horizontalScrollBar().setValue(value)
            timed(scroll, grid.viewport().repaint)
    print(line("scroll+paint", scroll, "  (to the far right or back, repainted)"))
    run("one doctor's week", lambda: calendar.week_view(desk, monday, doctor), CalendarMode.WEEK)
    run("clinic day", lambda: calendar.day_view(desk, monday + timedelta(days=1)), CalendarMode.DAY)

    controller.mode = CalendarMode.WEEK
    controller.anchor = monday
    reloads = Samples()
    for _ in range(min(args.repeat, 15)):
        done = QEventLoop()
        controller.calendar_shown.connect(done.quit)

        def reload(done: QEventLoop = done) -> None:
            controller.reload()
            QTimer.singleShot(30_000, done.quit)
            done.exec()
            grid.viewport().repaint()

        timed(reloads, reload)
        controller.calendar_shown.disconnect(done.quit)
    print("\nthe page's reload path (service and layout on the database lane, then painted;")
    print("cpu: the GUI thread's share only):")
    print(line("reload", reloads))
    runner.shutdown()
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
