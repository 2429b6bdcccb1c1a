"""A store with the full ICD-10-CM release imported, built once per session and copied per test.

Importing the release costs a few seconds; each test gets its own copy of one template (a
plain file copy of the encrypted store), so tests stay independent and the suite stays fast.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from clinic_app.bootstrap import Services, open_services
from clinic_app.codes.models import CodeSetInfo
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings

from tests.conftest import Template
from tests.keyring_fake import MemoryKeyring

_CACHED: list[CodeSetInfo] = []


@dataclass(frozen=True)
class CodesTemplate:
    data_dir: Path
    icd10cm: CodeSetInfo


@pytest.fixture(scope="session")
def codes_template(
    store_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> CodesTemplate:
    # Also imported by tests/cli/test_cli_codes.py: whichever module asks first builds it.
    data_dir = tmp_path_factory.getbasetemp() / "codes-template" / "data"
    if (data_dir.parent / "ready").exists():
        return CodesTemplate(data_dir, _CACHED[0])
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.secrets.update(store_template.secrets)
    keyring.set_keyring(backend)
    try:
        shutil.copytree(store_template.data_dir, data_dir)
        services = open_services(Settings(data_dir=data_dir, workstation="test-ws"))
        try:
            info = services.codes.import_icd10cm(store_template.users[Role.ADMIN])
            services.db.checkpoint()
        finally:
            services.close()
        _CACHED[:] = [info]
        (data_dir.parent / "ready").touch()
        return CodesTemplate(data_dir, info)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def codes_services(
    settings: Settings,
    codes_template: CodesTemplate,
    store_template: Template,
    memory_keyring: MemoryKeyring,
) -> Iterator[Services]:
    """An open store holding the April 2026 ICD-10-CM release as the active set."""
    shutil.copytree(codes_template.data_dir, settings.data_dir)
    memory_keyring.secrets.update(store_template.secrets)
    opened = open_services(settings)
    yield opened
    opened.close()


@pytest.fixture
def doctor(store_template: Template) -> AuthenticatedUser:
    return store_template.users[Role.DOCTOR]


@pytest.fixture
def admin(store_template: Template) -> AuthenticatedUser:
    return store_template.users[Role.ADMIN]


@pytest.fixture(scope="module")
def shared_codes_services(
    codes_template: CodesTemplate,
    store_template: Template,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Services]:
    """One store per test module for tests that only read codes (search, suggest): the copy
    and the term index are made once. Audit events accumulate across the module's tests."""
    data_dir = tmp_path_factory.mktemp("codes-shared") / "data"
    shutil.copytree(codes_template.data_dir, data_dir)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.secrets.update(store_template.secrets)
    keyring.set_keyring(backend)
    try:
        opened = open_services(Settings(data_dir=data_dir, workstation="test-ws"))
    finally:
        keyring.set_keyring(previous)
    yield opened
    opened.close()
