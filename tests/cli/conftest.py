"""Runs the real `clinic` entry point in-process, with secrets passed the way IT scripts do."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from clinic_app.cli.main import main
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings

from tests.conftest import PASSWORDS, USERNAMES


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


CliRunner = Callable[..., CliResult]


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> CliRunner:
    """`run_cli("patient", "list", role=Role.DOCTOR, env={...})` → exit code, stdout, stderr."""

    def run(
        *args: str,
        role: Role | None = None,
        env: dict[str, str] | None = None,
        data_dir: str | None = None,
    ) -> CliResult:
        capsys.readouterr()
        argv = ["--data-dir", data_dir or str(settings.data_dir)]
        if role is not None:
            argv += ["--user", USERNAMES[role]]
            monkeypatch.setenv("CLINIC_PASSWORD", PASSWORDS[role])
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        code = main([*argv, *args])
        captured = capsys.readouterr()
        for name in env or {}:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv("CLINIC_PASSWORD", raising=False)
        return CliResult(code, captured.out, captured.err)

    return run
