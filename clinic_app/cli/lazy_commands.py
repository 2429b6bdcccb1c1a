"""The `clinic` group loads a command's module only when that command runs.

Each feature's commands import the feature (imaging pulls in NumPy and OpenCV, updates the
signing code, …); importing them all up front made `clinic --version` take seconds. Each
loader is a function with a plain `import` statement, not a module name in a string, so
PyInstaller still finds and bundles every command module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import click

CommandLoader = Callable[[], click.Command]


class LazyCommandGroup(click.Group):
    """A click group whose sub-commands come from loaders, called on first use."""

    def __init__(
        self,
        *args: object,
        lazy_commands: Mapping[str, CommandLoader] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._loaders = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._loaders})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        loader = self._loaders.pop(cmd_name, None)
        if loader is not None:
            command = loader()
            if command.name != cmd_name:
                raise RuntimeError(f"the loader for {cmd_name!r} gave {command.name!r}")
            self.add_command(command)
        return super().get_command(ctx, cmd_name)


def _init() -> click.Command:
    from clinic_app.cli.store_commands import init

    return init


def _unlock() -> click.Command:
    from clinic_app.cli.store_commands import unlock

    return unlock


def _selftest() -> click.Command:
    from clinic_app.cli.store_commands import selftest

    return selftest


def _user() -> click.Command:
    from clinic_app.cli.user_commands import user

    return user


def _patient() -> click.Command:
    from clinic_app.cli.patient_commands import patient

    return patient


def _demo() -> click.Command:
    from clinic_app.cli.demo_commands import demo

    return demo


def _audit() -> click.Command:
    from clinic_app.cli.audit_commands import audit

    return audit


def _backup() -> click.Command:
    from clinic_app.cli.backup_commands import backup

    return backup


def _visit() -> click.Command:
    from clinic_app.cli.visit_commands import visit

    return visit


def _triage() -> click.Command:
    from clinic_app.cli.triage_commands import triage

    return triage


def _imaging() -> click.Command:
    from clinic_app.cli.imaging_commands import imaging

    return imaging


def _models() -> click.Command:
    from clinic_app.cli.models_commands import models

    return models


def _codes() -> click.Command:
    from clinic_app.cli.codes_commands import codes

    return codes


def _schedule() -> click.Command:
    from clinic_app.cli.schedule_commands import schedule

    return schedule


def _sync() -> click.Command:
    from clinic_app.cli.sync_commands import sync

    return sync


def _verify_package() -> click.Command:
    from clinic_app.cli.package_commands import verify_package

    return verify_package


def _update() -> click.Command:
    from clinic_app.cli.package_commands import update

    return update


COMMANDS: dict[str, CommandLoader] = {
    "init": _init,
    "unlock": _unlock,
    "selftest": _selftest,
    "user": _user,
    "patient": _patient,
    "demo": _demo,
    "audit": _audit,
    "backup": _backup,
    "visit": _visit,
    "triage": _triage,
    "imaging": _imaging,
    "models": _models,
    "codes": _codes,
    "schedule": _schedule,
    "sync": _sync,
    "verify-package": _verify_package,
    "update": _update,
}
