"""The sync GUI tests run over real workstations and the reference server on loopback (the
sync tests' fixtures) when PySide6 is installed; a headless run skips this folder."""

from importlib.util import find_spec

if find_spec("PySide6") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.sync.conftest import (  # noqa: F401 - fixtures are found by name
        shared_sync_server,
        sync_server,
        workstation,
    )
    from tests.ui.sync.sync_fixtures import (  # noqa: F401 - fixtures are found by name
        sync_page,
        sync_window,
        ui_runner,
    )
