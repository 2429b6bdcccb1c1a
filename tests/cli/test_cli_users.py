"""`clinic user …`: the same permission answers as the GUI, audited, with clear refusals."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role

from tests.cli.conftest import CliRunner

NEW = {"CLINIC_NEW_PASSWORD": "fresh-pass-2026"}


def test_admin_adds_lists_and_manages_a_user(run_cli: CliRunner, services: Services) -> None:
    added = run_cli(
        "user",
        "add",
        "Dr.Strange",
        "--role",
        "doctor",
        "--display-name",
        "Stephen Strange",
        "--json",
        role=Role.ADMIN,
        env=NEW,
    )
    assert added.code == 0, added.err
    assert added.json()["username"] == "dr.strange"
    assert added.json()["role"] == "doctor"

    listed = run_cli("user", "list", "--json", role=Role.ADMIN)
    assert "dr.strange" in {u["username"] for u in listed.json()}

    assert run_cli("user", "set-role", "dr.strange", "nurse", role=Role.ADMIN).code == 0
    assert run_cli("user", "disable", "dr.strange", role=Role.ADMIN).code == 0
    refused = run_cli(
        "patient",
        "list",
        "--user",
        "dr.strange",
        env={"CLINIC_PASSWORD": NEW["CLINIC_NEW_PASSWORD"]},
    )
    assert refused.code == 1
    assert "disabled" in refused.err
    assert run_cli("user", "enable", "dr.strange", role=Role.ADMIN).code == 0
    reset = run_cli(
        "user",
        "reset-password",
        "dr.strange",
        role=Role.ADMIN,
        env={"CLINIC_NEW_PASSWORD": "another-pass-77"},
    )
    assert reset.code == 0, reset.err
    ok = run_cli(
        "patient", "list", "--user", "dr.strange", env={"CLINIC_PASSWORD": "another-pass-77"}
    )
    assert ok.code == 0, ok.err

    actions = [
        e["action"]
        for e in run_cli("audit", "list", "--json", "--limit", "50", role=Role.ADMIN).json()
    ]
    for action in (
        "user.create",
        "user.set_role",
        "user.disable",
        "user.enable",
        "user.reset_password",
    ):
        assert action in actions


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.FRONT_DESK])
def test_only_admins_manage_users(run_cli: CliRunner, services: Services, role: Role) -> None:
    result = run_cli("user", "add", "someone", "--role", "doctor", role=role, env=NEW)
    assert result.code == 1
    assert "does not allow" in result.err
    names = {
        u.username
        for u in services.accounts.list_users(services.accounts.login("admin", "root-secret-2026"))
    }
    assert "someone" not in names


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["user", "add", "", "--role", "nurse"], NEW, "username"),
        (["user", "add", "x" * 5000, "--role", "nurse"], NEW, "username"),
        (["user", "add", "robert'); DROP TABLE users;--", "--role", "nurse"], NEW, "username"),
        (
            ["user", "add", "okname", "--role", "nurse", "--display-name", "a\x00b"],
            NEW,
            "display_name",
        ),
        (
            ["user", "add", "okname", "--role", "nurse"],
            {"CLINIC_NEW_PASSWORD": "short"},
            "password",
        ),
        (["user", "disable", "ghost"], {}, "No such user"),
        (["user", "disable", "admin"], {}, "your own account"),
        (["user", "set-role", "admin", "doctor"], {}, "last administrator"),
    ],
)
def test_bad_user_input_is_refused_with_one_line(
    run_cli: CliRunner, services: Services, args: list[str], env: dict[str, str], fragment: str
) -> None:
    before = len(run_cli("user", "list", "--json", role=Role.ADMIN).json())
    result = run_cli(*args, role=Role.ADMIN, env=env)
    assert result.code == 1
    assert fragment in result.err
    assert len(result.err.strip().splitlines()) == 1
    after = run_cli("user", "list", "--json", role=Role.ADMIN).json()
    assert len(after) == before
    assert {u["role"] for u in after if u["username"] == "admin"} == {"admin"}


def test_an_unknown_role_is_a_usage_error(run_cli: CliRunner, services: Services) -> None:
    result = run_cli("user", "add", "x1", "--role", "surgeon", role=Role.ADMIN, env=NEW)
    assert result.code == 2
    assert "surgeon" in result.err
