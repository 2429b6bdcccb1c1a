"""The Settings dialog's tests need PySide6; a headless run skips this folder."""

from importlib.util import find_spec

if find_spec("PySide6") is None:
    collect_ignore_glob = ["test_*.py"]
