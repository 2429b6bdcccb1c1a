"""Cold start of the desktop app: process start → login window shown, and → ready to sign in.

    .venv/bin/python tests/benchmarks/bench_ui_cold_start.py [--runs 7]

Starts the real entry point (`python -m clinic_app`, offscreen) against a store in keyring
mode, reads its log lines as they arrive ("login window shown", "store opened"), then stops it
with Ctrl+C. Baseline in the same run: a bare `QApplication + QWidget.show()` process.
Goal: window shown <= 1 s. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import time

from bench_ui_support import bench_store, summary

BARE_QT = (
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication([])\n"
    "w = QWidget(); w.resize(560, 600); w.show()\n"
    "from PySide6.QtCore import QTimer\n"
    "QTimer.singleShot(0, lambda: (print('shown', flush=True), app.quit()))\n"
    "app.exec()\n"
)


def time_lines(command: list[str], env: dict[str, str], wanted: list[str]) -> dict[str, float]:
    """Seconds from process start until each wanted text appears on stdout or stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    found: dict[str, float] = {}
    assert process.stdout is not None
    try:
        for line in process.stdout:
            for text in wanted:
                if text in line and text not in found:
                    found[text] = time.perf_counter() - started
            if len(found) == len(wanted):
                break
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    missing = set(wanted) - set(found)
    if missing:
        raise RuntimeError(f"never saw {missing}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args()
    store = bench_store(args.patients)
    env = store.child_env()
    bare: list[float] = []
    shown: list[float] = []
    ready: list[float] = []
    app = [sys.executable, "-m", "clinic_app", "--verbose"]
    for _ in range(args.runs):
        bare.append(time_lines([sys.executable, "-c", BARE_QT], env, ["shown"])["shown"] * 1000)
        times = time_lines(app, env, ["login window shown", "store opened"])
        shown.append(times["login window shown"] * 1000)
        ready.append(times["store opened"] * 1000)
    print(f"\ncold start over a store of {args.patients:,} patients (ms, {args.runs} runs)")
    print(f"  bare QApplication + QWidget.show(): {summary(bare)}")
    print(f"  clinic app, login window shown:     {summary(shown)}")
    print(f"  clinic app, store open, sign-in ready: {summary(ready)}")
    ratio = statistics.median(shown) / statistics.median(bare)
    print(f"  window shown / bare Qt window: {ratio:.2f}x   goal: window shown <= 1000 ms")


if __name__ == "__main__":
    main()
