"""Where the GUI's resource files are, in a source tree, an installed wheel or a frozen build.

PyInstaller unpacks data files under `sys._MEIPASS`; the spec copies `clinic_app/ui/resources`
to the same relative place, so one helper serves every case.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_RESOURCES = Path(__file__).resolve().parent / "resources"


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        candidate = Path(frozen_root) / "clinic_app" / "ui" / "resources"
        if candidate.is_dir():
            return candidate
    return _PACKAGE_RESOURCES


def resource_path(name: str) -> Path:
    """The path of a resource file; raises FileNotFoundError if it is not shipped."""
    path = resources_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"GUI resource missing: {name}")
    return path
