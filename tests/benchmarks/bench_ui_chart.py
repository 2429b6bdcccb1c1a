"""Opening a patient's chart in the GUI: 500 visits and 2,000 vitals readings.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_ui_chart.py \
        [--visits 500] [--vitals 2000] [--runs 30]

Builds the same store as bench_chart.py (one patient, `--visits` visits with codes, `--vitals`
readings, 50 records; passphrase mode, no OS keyring), then times, in the same process:

- service: the bare service call the chart screen makes (`ChartService.chart`: permission
           check, queries, assembly, audit commit), on the calling thread;
- shown:   from asking the chart page to open the patient (`ChartPage.open_item`) to its
           `chart_shown` signal: the call on the database lane, the hand-back to the GUI
           thread, the timeline, problem and vitals models filled and the vitals chart drawn
           (every reading of the measure on screen as a QLineSeries);
- painted: `shown` plus a full paint of the page (`QWidget.grab`: every visible pixel of the
           header, tables and chart rendered).

The first open of a session is reported apart (it imports QtCharts' fonts and caches).
Goal: shown p95 <= 100 ms. Not part of the test suite (pytest ignores tests/benchmarks).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_chart import build_store, p95
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--vitals", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app = QApplication([])
    from clinic_app.ui.records.chart_page import ChartPage
    from clinic_app.ui.shell.shell_page import PageContext
    from clinic_app.ui.style import apply_style
    from clinic_app.ui.tasks.task_runner import TaskRunner

    apply_style(app)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        services, doctor, patient_id = build_store(Path(tmp) / "data", args.visits, args.vitals)
        print(
            f"seeded {args.visits} visits, {args.vitals} vitals readings, 50 records in "
            f"{time.perf_counter() - began:.1f} s"
        )
        runner = TaskRunner()
        page = ChartPage(PageContext(services, doctor, runner))
        page.resize(1190, 690)  # the page's share of a 1366x768 screen
        page.show()
        app.processEvents()

        shown_at: list[float] = []
        waiting = QEventLoop()

        def on_shown(_patient_id: str) -> None:
            shown_at.append(time.perf_counter())
            waiting.quit()

        page.chart.chart_shown.connect(on_shown)

        def open_chart() -> tuple[float, float, float]:
            """The GUI thread waits in an event loop (idle, as in the application). Returns
            wall ms to shown, wall ms to painted, and the CPU ms of both threads to shown."""
            shown_at.clear()
            began, began_cpu = time.perf_counter(), time.process_time()
            page.open_item(patient_id)
            if not shown_at:
                waiting.exec()
            cpu = (time.process_time() - began_cpu) * 1000
            shown = shown_at
            page.grab()
            painted = time.perf_counter()
            return (shown[0] - began) * 1000, (painted - began) * 1000, cpu

        first_shown, first_painted, _cpu = open_chart()
        chart = page.chart.chart
        assert chart is not None
        points = page.chart_view.vitals_chart.point_count()
        print(
            f"chart: {len(chart.timeline)} timeline entries ({page.timeline_model.rowCount()} "
            f"rows in the first batch), {len(chart.problems)} problems, "
            f"{sum(len(s.points) for s in chart.vitals)} readings in {len(chart.vitals)} "
            f"series, {points} points drawn for {page.chart_view.vitals_chart.current_group.title}"
        )
        print(
            f"first open of the session: shown {first_shown:.1f} ms, painted {first_painted:.1f} ms"
        )
        shown, painted, service, service_cpu, shown_cpu = [], [], [], [], []
        for _ in range(args.runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            services.records.charts.chart(doctor, patient_id)
            service.append((time.perf_counter() - began) * 1000)
            service_cpu.append((time.process_time() - began_cpu) * 1000)
            to_shown, to_painted, cpu = open_chart()
            shown.append(to_shown)
            painted.append(to_painted)
            shown_cpu.append(cpu)
        print(
            f"python {platform.python_version()} on {platform.machine()}, {args.runs} runs, "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        for label, samples in (
            ("service", service),
            ("shown", shown),
            ("painted", painted),
            ("service (CPU)", service_cpu),
            ("shown (CPU)", shown_cpu),
        ):
            print(
                f"{label:<14} median {statistics.median(samples):7.1f} ms   p95 "
                f"{p95(samples):7.1f} ms   min {min(samples):7.1f} ms"
            )
        overhead = statistics.median(shown) - statistics.median(service)
        print(f"GUI over the bare service call (medians): {overhead:.1f} ms")
        verdict = "OK" if p95(shown) <= 100 else "OVER"
        print(f"goal: shown p95 <= 100 ms -> {verdict} ({p95(shown):.1f} ms)")
        page.shutdown()
        runner.shutdown()
        services.close()
        return 0 if p95(shown) <= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
