"""Where the application's shipped files are, from a source checkout or a frozen bundle.

The single place that knows the layout (the codes lexicon and the triage rules ask here; the
model registry and the desktop shell should too):

- source checkout (or an editable install): the repository's top-level ``resources/`` and
  ``models/`` folders, and package data under ``clinic_app/``;
- PyInstaller bundle (``sys.frozen``): the same three under ``sys._MEIPASS`` (the spec,
  installer/pyinstaller/clinic_app.spec, puts them there). The bundle's root, the folder with
  the ``clinic`` and ``clinic-app`` executables, ``bundle.json`` and the signed manifest, is
  the executable's folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def _data_root() -> Path:
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]
    return _SOURCE_ROOT


def resources_dir() -> Path:
    """The top-level ``resources/`` folder (triage rules, code lexicons, …)."""
    return _data_root() / "resources"


def resource_path(relative: str | Path) -> Path:
    """The path of a shipped resource; raises FileNotFoundError naming it when it is absent."""
    path = resources_dir() / relative
    if not path.exists():
        raise FileNotFoundError(f"Shipped resource missing: resources/{Path(relative).as_posix()}")
    return path


def models_dir() -> Path:
    """The model packs shipped with the application (``models/``)."""
    return _data_root() / "models"


def package_data_dir(relative: str | Path) -> Path:
    """A folder of package data under ``clinic_app/`` (e.g. ``ui/resources``); the spec copies
    it to the same place under ``sys._MEIPASS``."""
    return _data_root() / "clinic_app" / relative


def bundle_root() -> Path | None:
    """The frozen bundle's root folder (beside its executables), or None from a source tree."""
    if not is_frozen():
        return None
    return Path(sys.executable).resolve().parent
