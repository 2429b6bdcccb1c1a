"""Sync fixtures: the reference server in a child process, and workstations with their own
encrypted stores (several in one test; the in-memory keyring holds all their keys)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Template
from tests.keyring_fake import MemoryKeyring
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, make_workstation

WorkstationFactory = Callable[..., Workstation]


def _server(workdir: Path) -> Iterator[ServerProcess]:
    workdir.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(db_url=f"sqlite:///{workdir / 'server.db'}", workdir=workdir)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def sync_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of the test's own."""
    yield from _server(tmp_path / "server")


@pytest.fixture(scope="module")
def shared_sync_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for a module's tests: each test registers its own workstations, which also
    receive what earlier tests sent (as workstations joining a busy clinic would)."""
    yield from _server(tmp_path_factory.mktemp("shared-server"))


@pytest.fixture
def workstation(
    tmp_path: Path,
    store_template: Template,
    memory_keyring: MemoryKeyring,
) -> Iterator[WorkstationFactory]:
    made: list[Workstation] = []

    def factory(name: str, server: ServerProcess | None = None, **kwargs: object) -> Workstation:
        token = server.add_device(name) if server is not None else "no-server"
        url = kwargs.pop("url", server.url if server is not None else None)
        station = make_workstation(
            name,
            tmp_path,
            store_template,
            memory_keyring,
            url,
            token,
            **kwargs,  # type: ignore[arg-type]
        )
        made.append(station)
        return station

    yield factory
    for station in made:
        station.close()
