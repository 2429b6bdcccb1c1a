"""What every command shares: settings, the open store and the signed-in user.

Secrets come from the environment when set (for IT scripts) or from hidden prompts:
CLINIC_PASSPHRASE (database passphrase), CLINIC_PASSWORD (the --user's password).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from clinic_app.errors import ClinicError
from clinic_app.settings import Settings

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.security.users import AuthenticatedUser

PASSPHRASE_ENV = "CLINIC_PASSPHRASE"
PASSWORD_ENV = "CLINIC_PASSWORD"
USER_ENV = "CLINIC_USER"


def secret(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


@dataclass
class CliContext:
    settings: Settings
    username: str | None
    _services: Services | None = field(default=None, repr=False)
    _user: AuthenticatedUser | None = field(default=None, repr=False)

    def services(self) -> Services:
        if self._services is None:
            # Imported here: `clinic --version` and `--help` never load the database stack.
            from clinic_app.bootstrap import open_services
            from clinic_app.storage import store
            from clinic_app.storage.keys import UnlockMode

            passphrase = None
            if store.unlock_mode(self.settings) is UnlockMode.PASSPHRASE:
                passphrase = secret(PASSPHRASE_ENV, "Database passphrase")
            self._services = open_services(self.settings, passphrase)
        return self._services

    def user(self) -> AuthenticatedUser:
        if self._user is None:
            if not self.username:
                raise ClinicError(
                    f"This command acts as a user: pass --user NAME (or set {USER_ENV})."
                )
            services = self.services()
            password = secret(PASSWORD_ENV, f"Password for {self.username}")
            self._user = services.accounts.login(self.username, password)
        return self._user

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
            self._services = None


pass_cli = click.make_pass_decorator(CliContext)


def _set_user(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.find_object(CliContext).username = value  # type: ignore[union-attr]


# Every command that acts as a user also takes --user after its name, as people type it.
user_option = click.option(
    "--user",
    "user_name",
    default=None,
    expose_value=False,
    callback=_set_user,
    is_eager=False,
    help="Act as this user (same as the global --user).",
)
