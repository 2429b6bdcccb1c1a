"""The reference server (`python -m clinic_app.server`) in a child process on loopback, with
its own SQLite database; it can be killed (SIGKILL) and restarted on the same port and data."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServerProcess:
    db_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    extra_args: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    start_url: str | None = None  # https://… when the server runs with TLS

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "clinic_app.server", "--db", self.db_url, *args]

    def add_device(self, name: str, rate: float | None = None, burst: int | None = None) -> str:
        """Registers a workstation as `clinic-server devices add` does (the server's own
        registry, in this process: a second interpreter per device costs seconds)."""
        from clinic_app.server.database import make_engine
        from clinic_app.server.devices import DeviceRegistry
        from clinic_app.server.migrate import upgrade

        engine = make_engine(self.db_url)
        try:
            upgrade(engine)
            return DeviceRegistry(engine).add(name, rate, burst).token
        finally:
            engine.dispose()

    def add_device_with_cli(self, name: str) -> str:
        result = subprocess.run(
            self._command("devices", "add", name, "--json"),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            cwd=self.workdir,
        )
        return str(json.loads(result.stdout)["token"])

    def start(self, verify: str | bool = True) -> None:
        log = (self.workdir / f"server-{self.starts}.log").open("wb")
        self.starts += 1
        self.process = subprocess.Popen(
            self._command(
                "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", *self.extra_args
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: see {self.workdir}")
            try:
                health = (self.start_url or self.url) + "/health"
                if requests.get(health, timeout=1, verify=verify).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("the server did not start in time")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()
