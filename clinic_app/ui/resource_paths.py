"""Where the GUI's resource files (icons, the style sheet) are: in a source tree, an installed
wheel or a frozen build alike, through the one helper that knows the layout
(`clinic_app.resource_files`)."""

from __future__ import annotations

from pathlib import Path

from clinic_app.resource_files import package_data_dir

UI_RESOURCES = "ui/resources"


def resources_dir() -> Path:
    return package_data_dir(UI_RESOURCES)


def resource_path(name: str) -> Path:
    """The path of a resource file; raises FileNotFoundError if it is not shipped."""
    path = resources_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"GUI resource missing: clinic_app/{UI_RESOURCES}/{name}")
    return path
