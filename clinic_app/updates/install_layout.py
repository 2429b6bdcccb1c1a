"""Versions installed side by side, and the one pointer that says which is current.

    <install root>/                      /opt/clinic-app on Linux (the .deb)
        versions/0.1.0/                  one verified bundle per version
        versions/0.2.0/
        current -> versions/0.2.0        POSIX: a relative symbolic link
        current.txt                      Windows: a pointer file holding "0.2.0"

Switching writes a new link (or pointer file) beside the old one and renames it over the old
one: a rename is atomic, so a power cut leaves either the old or the new version current,
never neither. /usr/bin/clinic and /usr/bin/clinic-app point through ``current``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from clinic_app.security.signatures import MalformedManifestError
from clinic_app.updates.versions import parse_version

VERSIONS_DIR = "versions"
CURRENT_LINK = "current"
CURRENT_FILE = "current.txt"


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class InstallLayout:
    def __init__(self, root: Path, *, use_symlink: bool | None = None) -> None:
        self.root = root
        self.use_symlink = os.name == "posix" if use_symlink is None else use_symlink

    @property
    def versions_dir(self) -> Path:
        return self.root / VERSIONS_DIR

    def version_dir(self, version: str) -> Path:
        parse_version(version)
        return self.versions_dir / version

    def current_version(self) -> str | None:
        link = self.root / CURRENT_LINK
        if link.is_symlink():
            target = Path(os.readlink(link))
            return target.name if target.parent.name == VERSIONS_DIR else None
        pointer = self.root / CURRENT_FILE
        if pointer.is_file():
            text = pointer.read_text(encoding="utf-8").strip()
            return text or None
        return None

    def current_bundle(self) -> Path | None:
        version = self.current_version()
        return None if version is None else self.version_dir(version)

    def installed_versions(self) -> list[str]:
        if not self.versions_dir.is_dir():
            return []
        found = []
        for path in self.versions_dir.iterdir():
            try:
                found.append((parse_version(path.name), path.name))
            except MalformedManifestError:
                continue  # staging folders and anything else that is not a version
        return [name for _key, name in sorted(found)]

    def switch_to(self, version: str) -> None:
        """Makes `version` current, atomically."""
        target = self.version_dir(version)
        if not target.is_dir():
            raise FileNotFoundError(f"{target} is not installed.")
        token = secrets.token_hex(4)
        if self.use_symlink:
            temporary = self.root / f".{CURRENT_LINK}-{token}"
            os.symlink(f"{VERSIONS_DIR}/{version}", temporary)
            os.replace(temporary, self.root / CURRENT_LINK)
        else:
            temporary = self.root / f".{CURRENT_FILE}-{token}"
            with temporary.open("w", encoding="utf-8") as handle:
                handle.write(version + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.root / CURRENT_FILE)
        _fsync_dir(self.root)

    def clear_current(self) -> None:
        """No version is current (a first install whose selftest failed)."""
        (self.root / CURRENT_LINK).unlink(missing_ok=True)
        (self.root / CURRENT_FILE).unlink(missing_ok=True)
        _fsync_dir(self.root)

    def remove_version(self, version: str) -> None:
        """Deletes an installed version that is not current."""
        if version == self.current_version():
            raise ValueError(f"{version} is the current version; switch away from it first.")
        target = self.version_dir(version)
        if target.exists():
            # Renamed first, so a half-deleted folder never looks like an installed version.
            doomed = self.versions_dir / f".removing-{version}-{secrets.token_hex(4)}"
            os.replace(target, doomed)
            shutil.rmtree(doomed, ignore_errors=True)

    def prune(self, keep: int = 2) -> list[str]:
        """Removes the oldest versions beyond `keep`, never the current one. Returns them."""
        current = self.current_version()
        others = [v for v in self.installed_versions() if v != current]
        doomed = others[: max(0, len(others) - (keep - 1))]
        for version in doomed:
            self.remove_version(version)
        return doomed
