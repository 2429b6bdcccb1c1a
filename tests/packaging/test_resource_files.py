"""One helper finds the shipped files from a source checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from clinic_app import resource_files
from clinic_app.codes.lexicon import resource_dir as codes_dir
from clinic_app.triage.rules import default_rules_path

REPO = Path(__file__).resolve().parents[2]


def test_from_a_checkout_the_repository_folders_are_used() -> None:
    assert not resource_files.is_frozen()
    assert resource_files.resources_dir() == REPO / "resources"
    assert resource_files.models_dir() == REPO / "models"
    assert resource_files.bundle_root() is None
    assert (resource_files.package_data_dir("ui/resources") / "app-icon.svg").is_file()
    assert codes_dir() == REPO / "resources" / "codes"
    assert default_rules_path() == REPO / "resources" / "triage" / "rules.yaml"
    assert resource_files.resource_path("triage/rules.yaml").is_file()


def test_in_a_bundle_everything_comes_from_meipass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "clinic-app-1.0.0"
    internal = bundle / "_internal"
    (internal / "resources" / "triage").mkdir(parents=True)
    (internal / "resources" / "triage" / "rules.yaml").write_text("rules: []\n")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / "clinic"))
    assert resource_files.resources_dir() == internal / "resources"
    assert resource_files.models_dir() == internal / "models"
    assert resource_files.bundle_root() == bundle
    assert resource_files.package_data_dir("ui/resources") == internal / "clinic_app/ui/resources"
    assert default_rules_path() == internal / "resources" / "triage" / "rules.yaml"
    assert codes_dir() == internal / "resources" / "codes"
    with pytest.raises(FileNotFoundError, match=r"resources/codes/abbreviations\.tsv"):
        resource_files.resource_path("codes/abbreviations.tsv")


def test_the_gui_finds_its_icons_through_the_same_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("PySide6")  # the GUI package pins a Qt workaround when imported
    from clinic_app.ui import resource_paths

    assert resource_paths.resources_dir() == resource_files.package_data_dir("ui/resources")
    assert resource_paths.resource_path("app-icon.svg").is_file()
    with pytest.raises(FileNotFoundError, match=r"clinic_app/ui/resources/no-such\.svg"):
        resource_paths.resource_path("no-such.svg")

    internal = tmp_path / "bundle" / "_internal"
    icons = internal / "clinic_app" / "ui" / "resources"
    icons.mkdir(parents=True)
    (icons / "app-icon.svg").write_text("<svg/>")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    assert resource_paths.resource_path("app-icon.svg") == icons / "app-icon.svg"
    # A bundle without the file says so; it does not fall back to a source tree.
    with pytest.raises(FileNotFoundError, match=r"style\.qss"):
        resource_paths.resource_path("style.qss")
