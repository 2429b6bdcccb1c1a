"""`python -m clinic_app` starts the GUI: a real process, offscreen, stopped with Ctrl+C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from clinic_app.__main__ import parse_args


def test_our_options_are_parsed_and_qt_options_pass_through() -> None:
    args, qt_args = parse_args(["--data-dir", "/srv/clinic", "-platform", "offscreen", "--verbose"])
    assert args.data_dir == "/srv/clinic"
    assert args.verbose
    assert qt_args == ["-platform", "offscreen"]


def test_python_m_clinic_app_opens_the_first_window_and_stops_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CLINIC_DATA_DIR": str(tmp_path / "d")}
    process = subprocess.Popen(
        [sys.executable, "-m", "clinic_app", "--verbose"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stderr], daemon=True
    ).start()  # type: ignore[union-attr]
    seen: list[str] = []
    try:
        while not any("login window shown" in line for line in seen):
            seen.append(lines.get(timeout=30))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    while not lines.empty():
        seen.append(lines.get())
    assert any("application shut down" in line for line in seen), seen
    assert not any("Traceback" in line for line in seen), seen
