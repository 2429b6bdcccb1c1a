"""A keyring backend for the GUI benchmarks' child processes (never used by the app itself).

Benchmarks start `python -m clinic_app` as a real process; that process has no OS keyring here,
so `PYTHON_KEYRING_BACKEND=bench_ui_keyring.EnvKeyring` (with this folder on PYTHONPATH) hands
it the synthetic store's key from the `CLINIC_BENCH_KEYRING` environment variable.
"""

from __future__ import annotations

import json
import os

import keyring.backend

ENV = "CLINIC_BENCH_KEYRING"


class EnvKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        raw = json.loads(os.environ.get(ENV, "{}"))
        self.secrets: dict[str, str] = dict(raw)

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[f"{service}|{username}"] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop(f"{service}|{username}", None)

    def as_env(self) -> str:
        return json.dumps(self.secrets)
