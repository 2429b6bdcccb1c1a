"""The sync server as a real process on loopback, and its CLI, for the server tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

STARTUP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m clinic_app.server ARGS` as its own process (the entry point itself)."""
    return subprocess.run(
        [sys.executable, "-m", "clinic_app.server", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class ServerProcess:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def alive(self) -> bool:
        return self.process.poll() is None

    def peak_rss_bytes(self) -> int:
        """The process's high-water resident memory (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM in /proc status")

    def reset_peak_rss(self) -> None:
        """Resets VmHWM to the current RSS (writing 5 to clear_refs, Linux >= 4.0)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5", encoding="ascii")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_server(db_url: str, log_dir: Path, *options: str) -> ServerProcess:
    """Starts `clinic-server serve` on a free loopback port and waits for /health."""
    last_error: Any = None
    for attempt in range(3):  # a port taken between free_port() and bind() is retried
        port = free_port()
        log_path = log_dir / f"server-{port}-{attempt}.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "clinic_app.server",
                    "--db",
                    db_url,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    *options,
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        server = ServerProcess(f"http://127.0.0.1:{port}", db_url, process, log_path)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and server.alive():
            try:
                if requests.get(f"{server.url}/health", timeout=2).status_code == 200:
                    return server
            except requests.ConnectionError as exc:
                last_error = exc
            time.sleep(0.1)
        server.stop()
        last_error = server.log()
        if "address already in use" not in last_error.lower():
            break
    raise AssertionError(f"clinic-server did not start:\n{last_error}")
