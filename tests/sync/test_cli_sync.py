"""`clinic sync …` end to end: configure (token into the keyring, not a file), now, status,
conflicts and resolve as JSON; offline and refused tokens are one clear line and an exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from clinic_app.bootstrap import Services
from clinic_app.cli.main import main
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.settings import SYNC_SETTINGS_FILE, Settings

from tests.conftest import PASSWORDS, USERNAMES
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def clinic(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    services: Services,
) -> Callable[..., Result]:
    def run(*args: str, role: Role | None = None) -> Result:
        capsys.readouterr()
        argv = ["--data-dir", str(settings.data_dir)]
        if role is not None:
            argv += ["--user", USERNAMES[role]]
            monkeypatch.setenv("CLINIC_PASSWORD", PASSWORDS[role])
        code = main([*argv, *args])
        captured = capsys.readouterr()
        monkeypatch.delenv("CLINIC_PASSWORD", raising=False)
        return Result(code, captured.out, captured.err)

    return run


def test_configure_sync_status_conflicts_and_resolve_from_the_command_line(
    clinic: Callable[..., Result],
    services: Services,
    users: dict[Role, object],
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    settings: Settings,
) -> None:
    assert clinic("sync", "status", "--json").json()["configured"] is False
    token = sync_server.add_device("cli-ws")
    configured = clinic(
        "sync",
        "configure",
        "--url",
        sync_server.url,
        "--token",
        token,
        "--enable",
        "--interval",
        "60",
        "--json",
        role=Role.ADMIN,
    )
    assert configured.code == 0, configured.err
    assert configured.json()["token"] == "stored in the keyring"
    assert token not in (settings.data_dir / SYNC_SETTINGS_FILE).read_text()
    refused = clinic("sync", "configure", "--url", "x", role=Role.DOCTOR)
    assert refused.code == 1
    assert refused.err.startswith("error: ")
    assert refused.err.count("\n") == 1

    desk = users[Role.FRONT_DESK]
    ada = services.patients.create(
        desk,
        PatientInput(
            given_name="Ada",
            family_name="Cli",
            sex="female",
            birth_date="1985-12-10",
            phone="+44 1",
        ),  # type: ignore[arg-type]
    ).patient
    ran = clinic("sync", "now", "--json")
    assert ran.code == 0, ran.err
    assert ran.json()["pushed"] >= 1
    status = clinic("sync", "status", "--json").json()
    assert status["online"] is True
    assert status["pending_changes"] == 0

    # Another workstation changes the phone too: a conflict, listed and resolved by the desk.
    other = workstation("cli-other", sync_server)
    other.sync_now()
    other_desk = other.users[Role.FRONT_DESK]
    detail = other.services.patients.get(other_desk, ada.id)
    other.services.patients.update(
        other_desk,
        ada.id,
        PatientInput(
            given_name="Ada",
            family_name="Cli",
            sex="female",
            birth_date="1985-12-10",
            phone="+44 2",
        ),
        detail.version,
    )
    other.sync_now()
    mine = services.patients.get(desk, ada.id)  # type: ignore[arg-type]
    services.patients.update(
        desk,
        ada.id,
        PatientInput(
            given_name="Ada",
            family_name="Cli",
            sex="female",  # type: ignore[arg-type]
            birth_date="1985-12-10",
            phone="+44 3",
        ),
        mine.version,
    )
    assert clinic("sync", "now", "--json").json()["conflicts"] == 1
    [conflict] = clinic("sync", "conflicts", "--json", role=Role.FRONT_DESK).json()
    phone = next(f for f in conflict["fields"] if f["name"] == "phone")
    assert (phone["local"], phone["server"]) == ("+44 3", "+44 2")
    text = clinic("sync", "conflicts", role=Role.FRONT_DESK).out
    assert "+44 3" in text
    assert "+44 2" in text
    done = clinic("sync", "resolve", conflict["id"], "server", role=Role.FRONT_DESK)
    assert done.code == 0, done.err
    assert clinic("sync", "now", "--json").code == 0
    assert services.patients.get(desk, ada.id).summary.phone == "+44 2"  # type: ignore[arg-type]
    assert clinic("sync", "conflicts", "--json", role=Role.FRONT_DESK).json() == []
    log = clinic("sync", "log", "--json", role=Role.ADMIN).json()
    assert {"pushed", "applied", "conflict", "resolved"} <= {entry["event"] for entry in log}

    # The server goes away: exit 3, one line, nothing lost.
    sync_server.kill()
    services.patients.create(
        desk,
        PatientInput(
            given_name="Bea",
            family_name="Cli",
            sex="female",  # type: ignore[arg-type]
            birth_date="1990-01-01",
        ),
    )
    offline = clinic("sync", "now")
    assert offline.code == 3
    assert offline.err.startswith("offline: ")
    assert offline.err.count("\n") == 1
    assert clinic("sync", "status", "--json").json()["pending_changes"] == 1
    sync_server.start()
    bad = clinic("sync", "configure", "--token", "cst_wrong", role=Role.ADMIN)
    assert bad.code == 0
    refused_token = clinic("sync", "now")
    assert refused_token.code == 1
    assert "token" in refused_token.err
