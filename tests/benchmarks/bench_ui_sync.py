"""The sync GUI under load: does "Sync now" ever block the GUI thread?

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_ui_sync.py \
        [--patients 2000] [--idle-seconds 3]

A copy of the synthetic GUI-benchmark store (`bench_ui_support.bench_store`, N patients, all
still to send) is connected to the reference server (`python -m clinic_app.server`, SQLite, a
child process on loopback). The real Sync page is shown offscreen over the real TaskRunner,
and a 10 ms QTimer (the GUI thread's heartbeat) records the gaps between its ticks:

- idle: the page on screen, nothing running (the baseline, same process, same run);
- sync: "Sync now" pushing every patient (transaction bundles on the network lane), then
  the status and log reload (database lane), until the page shows the result.

Printed: the longest gap and the 99th percentile in each phase, their ratio, and the run's
wall time. Goal: no gap over 50 ms while syncing. No assertions; not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from bench_ui_support import ADMIN, ADMIN_PASSWORD, bench_store, percentile  # noqa: E402
from clinic_app.bootstrap import open_services  # noqa: E402
from clinic_app.settings import Settings  # noqa: E402
from clinic_app.ui.shell.shell_page import PageContext  # noqa: E402
from clinic_app.ui.style import apply_style  # noqa: E402
from clinic_app.ui.sync.sync_page import SyncPage  # noqa: E402
from clinic_app.ui.tasks.task_runner import TaskRunner  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from tests.sync.server_process import ServerProcess  # noqa: E402

HEARTBEAT_MS = 10


class Heartbeat:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps = []
        self._clock.start()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.gaps

    def _tick(self) -> None:
        self.gaps.append(self._clock.restart() * 1.0)


def spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def line(name: str, gaps: list[float]) -> str:
    return (
        f"{name:<6} ticks {len(gaps):6d}  longest gap {max(gaps):7.1f} ms  "
        f"p99 {percentile(gaps, 0.99):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    args = parser.parse_args()
    store = bench_store(args.patients)
    store.install_keyring()
    app = QApplication.instance() or QApplication(sys.argv)
    apply_style(app)
    with tempfile.TemporaryDirectory(prefix="bench-ui-sync-") as temp:
        root = Path(temp)
        shutil.copytree(store.data_dir, root / "data")
        server = ServerProcess(db_url=f"sqlite:///{root / 'server.db'}", workdir=root)
        server.start()
        try:
            token = server.add_device("bench-ui-sync")
            services = open_services(Settings(data_dir=root / "data", workstation="bench"))
            admin = services.accounts.login(ADMIN, ADMIN_PASSWORD)
            services.sync.configure(admin, url=server.url, token=token, enabled=False)
            runner = TaskRunner()
            page = SyncPage(PageContext(services, admin, runner))
            page.resize(1366, 728)
            page.show()
            page.page_shown()
            spin(1.0)  # the first status and log are read
            pending = page.overview.summary["pending"].text()
            heartbeat = Heartbeat()
            heartbeat.start()
            spin(args.idle_seconds)
            idle = heartbeat.stop()
            done = QEventLoop()
            page.run.finished.connect(done.quit)
            heartbeat.start()
            started = time.perf_counter()
            page.overview.sync_button.click()
            done.exec()
            spin(0.5)  # the status and log reload after the run
            wall = time.perf_counter() - started
            busy = heartbeat.stop()
            print(f"patients to send: {pending}; result: {page.overview.result_text()}")
            print(page.overview.error_text() or "no error")
            print(line("idle", idle))
            print(line("sync", busy))
            print(
                f"longest gap while syncing / idle: {max(busy) / max(idle):.2f}x; "
                f"sync wall time {wall:.1f} s; load average {os.getloadavg()[0]:.2f}"
            )
            page.close()
            runner.shutdown()
            services.close()
        finally:
            server.kill()


if __name__ == "__main__":
    main()
