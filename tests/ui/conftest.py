"""GUI tests run when PySide6 is installed (always in CI); a headless run skips this folder
and still runs every core test."""

from importlib.util import find_spec

if find_spec("PySide6") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.ui.fixtures import (  # noqa: F401 - fixtures are found by name
        app_factory,
        fake_clock,
        initialised_settings,
        open_workspace,
        styled_app,
        task_runner,
    )
