"""clinic user add|list|disable|enable|set-role|reset-password"""

from __future__ import annotations

import click

from clinic_app.cli.context import CliContext, pass_cli, secret, user_option
from clinic_app.cli.output import emit_json, emit_table
from clinic_app.security.permissions import Role
from clinic_app.security.users import UserSummary

NEW_PASSWORD_ENV = "CLINIC_NEW_PASSWORD"
_ROLE = click.Choice([role.value for role in Role])


def _print_user(user: UserSummary, as_json: bool) -> None:
    if as_json:
        emit_json(user)
    else:
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username} ({user.role.value}, {state})")


@click.group()
def user() -> None:
    """Manage accounts (admin role)."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=_ROLE, required=True)
@click.option("--display-name", default=None, help="Full name shown in the app.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def add(
    state: CliContext, username: str, role: str, display_name: str | None, as_json: bool
) -> None:
    """Add an account; its password comes from $CLINIC_NEW_PASSWORD or a prompt.

    The user must change it at first login.
    """
    actor = state.user()
    password = secret(NEW_PASSWORD_ENV, f"Password for {username}", confirm=True)
    created = state.services().accounts.add_user(
        actor, username, display_name or username, Role(role), password
    )
    _print_user(created, as_json)


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def list_(state: CliContext, as_json: bool) -> None:
    """List accounts."""
    users = state.services().accounts.list_users(state.user())
    if as_json:
        emit_json(users)
        return
    emit_table(
        ["USERNAME", "ROLE", "ACTIVE", "LOCKED UNTIL", "NAME"],
        [
            [
                u.username,
                u.role.value,
                "yes" if u.active else "no",
                u.locked_until.isoformat(timespec="minutes") if u.locked_until else "",
                u.display_name,
            ]
            for u in users
        ],
    )


@user.command()
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def disable(state: CliContext, username: str, as_json: bool) -> None:
    """Disable an account (it can't sign in; its history stays)."""
    _print_user(state.services().accounts.set_active(state.user(), username, False), as_json)


@user.command()
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def enable(state: CliContext, username: str, as_json: bool) -> None:
    """Enable a disabled account."""
    _print_user(state.services().accounts.set_active(state.user(), username, True), as_json)


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=_ROLE)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def set_role(state: CliContext, username: str, role: str, as_json: bool) -> None:
    """Change an account's role."""
    _print_user(state.services().accounts.set_role(state.user(), username, Role(role)), as_json)


@user.command("reset-password")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def reset_password(state: CliContext, username: str, as_json: bool) -> None:
    """Set a temporary password ($CLINIC_NEW_PASSWORD or a prompt) and clear a lockout."""
    actor = state.user()
    password = secret(NEW_PASSWORD_ENV, f"New password for {username}", confirm=True)
    _print_user(state.services().accounts.reset_password(actor, username, password), as_json)
