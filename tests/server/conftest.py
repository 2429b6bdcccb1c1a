"""Fixtures for the sync server: one real server process per database engine per session.

Every server test runs twice, on SQLite and on PostgreSQL (a throwaway database on the local
cluster). Tests share a server, so each works on resources with fresh ids and checks only
what it wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from clinic_app.server.cli import main
from clinic_app.server.database import make_engine
from clinic_app.server.devices import DeviceRegistry
from clinic_app.server.migrate import upgrade

from tests.server.fhir_session import FhirSession
from tests.server.postgres import throwaway_database
from tests.server.server_process import ServerProcess, start_server

BACKENDS = ("sqlite", "postgresql")
MAX_BINARY_MB = 64


@dataclass(frozen=True)
class LiveServer:
    backend: str
    url: str
    db_url: str
    token: str
    process: ServerProcess

    def session(self, token: str | None = None) -> FhirSession:
        return FhirSession(self.url, token)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with throwaway_database() as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "sqlite":
        db_url = f"sqlite:///{directory / 'server.db'}"
    else:
        db_url = request.getfixturevalue("postgres_url")
    # Registered in-process (the CLI has its own tests): it spares a second process start.
    engine = make_engine(db_url)
    upgrade(engine)
    token = DeviceRegistry(engine).add("ws-main").token
    engine.dispose()
    # The main test device is never throttled (the rate-limit tests use devices of their own).
    options = ("--max-binary-mb", str(MAX_BINARY_MB), "--rate", "100000", "--burst", "100000")
    process = start_server(db_url, directory, *options, "--no-access-log")
    yield LiveServer(request.param, process.url, db_url, token, process)
    process.stop()


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


ServerCli = Callable[..., CliResult]


@pytest.fixture
def server_cli(capsys: pytest.CaptureFixture[str]) -> ServerCli:
    """`server_cli(db_url, "devices", "add", "ws-1", "--json")`: the real `clinic-server` entry
    point, in-process (the server itself always runs as its own process)."""

    def run(db_url: str, *args: str) -> CliResult:
        capsys.readouterr()
        code = main(["--db", db_url, *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def fhir(live_server: LiveServer) -> Iterator[FhirSession]:
    """A session of the main device. Afterwards the server must still be up and healthy."""
    yield live_server.session(live_server.token)
    assert live_server.process.alive(), live_server.process.log()[-4000:]
    assert requests.get(f"{live_server.url}/health", timeout=10).status_code == 200
