"""Update archives unpack safely on Pythons without tarfile's "data" filter (3.11.0–3.11.3,
e.g. Debian 12's 3.11.2): the same rules are applied by hand."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from clinic_app.updates import apply
from clinic_app.updates.apply import UpdateError


def _archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes = b"x", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    return info, data


def _link(name: str, target: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info, None


@pytest.fixture
def without_data_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(tarfile, "data_filter", raising=False)


@pytest.mark.usefixtures("without_data_filter")
def test_a_normal_bundle_unpacks_and_loses_setuid_bits(tmp_path: Path) -> None:
    package = _archive(
        tmp_path / "ok.tar.gz",
        [
            _file("bundle/clinic", b"#!/bin/sh\n", 0o4755),
            _link("bundle/clinic-link", "clinic"),
        ],
    )
    staging = tmp_path / "staging"
    staging.mkdir()
    with tarfile.open(package) as archive:
        apply._extract_safely(archive, staging)
    unpacked = staging / "bundle" / "clinic"
    assert unpacked.read_bytes() == b"#!/bin/sh\n"
    assert unpacked.stat().st_mode & 0o7777 == 0o755


@pytest.mark.usefixtures("without_data_filter")
@pytest.mark.parametrize(
    "member",
    [
        _file("../escape"),
        _file("/etc/evil"),
        _file("bundle/../../escape"),
        _link("bundle/link", "/etc/passwd"),
        _link("bundle/link", "../../outside"),
    ],
    ids=["dotdot", "absolute", "nested-dotdot", "absolute-link", "escaping-link"],
)
def test_hostile_members_are_refused_and_nothing_escapes(
    tmp_path: Path, member: tuple[tarfile.TarInfo, bytes | None]
) -> None:
    package = _archive(tmp_path / "bad.tar.gz", [member])
    staging = tmp_path / "deep" / "staging"
    staging.mkdir(parents=True)
    with tarfile.open(package) as archive, pytest.raises(UpdateError):
        apply._extract_safely(archive, staging)
    assert not (tmp_path / "escape").exists()
    assert not (tmp_path / "deep" / "escape").exists()


def _hard_link(name: str, target: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE
    info.linkname = target
    return info, None


@pytest.mark.usefixtures("without_data_filter")
@pytest.mark.parametrize(
    "members",
    [
        # a link to its own folder, then a link "inside" it whose real place is one level up
        [_link("bundle/here", "."), _link("bundle/here/up", "../.."), _file("bundle/up/escape")],
        # a link to the top, then a file through it and `..`
        [_link("bundle/top", ".."), _file("bundle/top/../escape")],
        # hard links are never in a bundle
        [_file("bundle/a"), _hard_link("bundle/b", "../escape")],
    ],
    ids=["link-through-link", "file-through-link", "hard-link"],
)
def test_links_can_not_carry_later_members_out(
    tmp_path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]
) -> None:
    package = _archive(tmp_path / "bad.tar.gz", members)
    staging = tmp_path / "deep" / "staging"
    staging.mkdir(parents=True)
    with tarfile.open(package) as archive, pytest.raises(UpdateError):
        apply._extract_safely(archive, staging)
    assert not (tmp_path / "deep" / "escape").exists()
    assert not (tmp_path / "escape").exists()
    assert not (tmp_path / "deep" / "up").exists()
