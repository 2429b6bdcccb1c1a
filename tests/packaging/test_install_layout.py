"""versions/<x.y.z>/ side by side, and `current` switched by one atomic rename: a symbolic link
on POSIX, a pointer file where links need privileges (Windows)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clinic_app.security.signatures import MalformedManifestError
from clinic_app.updates.install_layout import CURRENT_FILE, CURRENT_LINK, InstallLayout


@pytest.fixture(params=[True, False], ids=["symlink", "pointer-file"])
def layout(request: pytest.FixtureRequest, tmp_path: Path) -> InstallLayout:
    layout = InstallLayout(tmp_path / "install", use_symlink=request.param)
    for version in ("1.0.0", "1.2.0", "1.10.0"):
        layout.version_dir(version).mkdir(parents=True)
    (layout.versions_dir / ".incoming-abcd").mkdir()  # staging is never a version
    return layout


def test_versions_sort_by_number_not_text(layout: InstallLayout) -> None:
    assert layout.installed_versions() == ["1.0.0", "1.2.0", "1.10.0"]


def test_switching_replaces_the_pointer_in_one_step(layout: InstallLayout) -> None:
    assert layout.current_version() is None
    layout.switch_to("1.0.0")
    layout.switch_to("1.10.0")
    assert layout.current_version() == "1.10.0"
    assert layout.current_bundle() == layout.version_dir("1.10.0")
    leftovers = [p.name for p in layout.root.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary link or file left behind
    if layout.use_symlink:
        assert os.readlink(layout.root / CURRENT_LINK) == "versions/1.10.0"  # relative
    else:
        assert (layout.root / CURRENT_FILE).read_text() == "1.10.0\n"


def test_a_version_that_is_not_installed_is_never_made_current(layout: InstallLayout) -> None:
    layout.switch_to("1.0.0")
    with pytest.raises(FileNotFoundError):
        layout.switch_to("2.0.0")
    assert layout.current_version() == "1.0.0"


def test_the_current_version_is_never_removed(layout: InstallLayout) -> None:
    layout.switch_to("1.2.0")
    with pytest.raises(ValueError, match="current version"):
        layout.remove_version("1.2.0")
    assert layout.prune(keep=2) == ["1.0.0"]  # the oldest other version goes
    assert layout.installed_versions() == ["1.2.0", "1.10.0"]
    assert layout.current_version() == "1.2.0"


def test_a_version_name_must_be_a_version(layout: InstallLayout) -> None:
    with pytest.raises(MalformedManifestError, match=r"form 1\.2\.3"):
        layout.version_dir("../../etc")
