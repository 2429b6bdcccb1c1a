"""A store for the clinical GUI tests: the four accounts plus a small ICD-10-CM excerpt (the
real CMS release, cut to a few blocks: diabetes, hypertension, ischaemic heart disease,
respiratory infections, COPD and asthma, urinary tract, common symptoms) and a handful of
HCPCS Level II codes. Built once per session in about a second; each test gets a file copy.

The full release takes ~9 s to import; the excerpt keeps these tests fast while searching,
suggesting and coding with real codes, real hierarchy and real seventh-character rules.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from clinic_app.bootstrap import Services, open_services
from clinic_app.codes.icd10cm_importer import Icd10cmFile, packaged_release
from clinic_app.codes.models import CodeSetInfo, CodeSystem
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings

from tests.conftest import Template
from tests.keyring_fake import MemoryKeyring

EXCERPT_SECTIONS = frozenset(
    {
        "E08-E13",
        "I10-I1A",
        "I20-I25",
        "J00-J06",
        "J09-J18",
        "J40-J4A",
        "N30-N39",
        "R00-R09",
        "R50-R69",
    }
)
EXCERPT_VERSION = "2026-04 (test excerpt)"
HCPCS_CODES = """code,description,billable
G0008,Administration of influenza virus vaccine,yes
J1100,"Injection, dexamethasone sodium phosphate, 1 mg",yes
J7613,"Albuterol, inhalation solution, FDA-approved final product, unit dose, 1 mg",yes
A4206,"Syringe with needle, sterile, 1 cc or less, each",yes
"""


@dataclass(frozen=True)
class ClinicalTemplate:
    data_dir: Path
    icd10cm: CodeSetInfo


def write_excerpt(target: Path) -> Path:
    """The packaged CMS tabular XML with only the chapters and blocks named above."""
    tree = ET.parse(packaged_release().path)
    root = tree.getroot()
    for chapter in list(root.findall("chapter")):
        sections = chapter.findall("section")
        keep = [s for s in sections if s.get("id") in EXCERPT_SECTIONS]
        if not keep:
            root.remove(chapter)
            continue
        for section in sections:
            if section not in keep:
                chapter.remove(section)
        for section_index in list(chapter.findall("sectionIndex")):
            chapter.remove(section_index)
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return target


_BUILT: list[ClinicalTemplate] = []


@pytest.fixture(scope="session")
def clinical_template(
    store_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> ClinicalTemplate:
    if _BUILT:
        return _BUILT[0]
    folder = tmp_path_factory.mktemp("clinical-template")
    data_dir = folder / "data"
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.secrets.update(store_template.secrets)
    keyring.set_keyring(backend)
    try:
        shutil.copytree(store_template.data_dir, data_dir)
        services = open_services(Settings(data_dir=data_dir, workstation="test-ws"))
        try:
            admin = store_template.users[Role.ADMIN]
            release = Icd10cmFile(
                path=write_excerpt(folder / "tabular-excerpt.xml"),
                version=EXCERPT_VERSION,
                effective_date=None,
                source="CMS ICD-10-CM April 2026, excerpt for tests",
            )
            info = services.codes.import_icd10cm(admin, release)
            hcpcs = folder / "hcpcs.csv"
            hcpcs.write_text(HCPCS_CODES, encoding="utf-8")
            services.codes.import_file(admin, hcpcs, CodeSystem.HCPCS, "2026 (test)")
            services.db.checkpoint()
        finally:
            services.close()
    finally:
        keyring.set_keyring(previous)
    _BUILT.append(ClinicalTemplate(data_dir, info))
    return _BUILT[0]


@pytest.fixture
def services(
    settings: Settings,
    clinical_template: ClinicalTemplate,
    store_template: Template,
    memory_keyring: MemoryKeyring,
) -> Iterator[Services]:
    """Replaces tests/conftest.py's `services` for the clinical GUI tests: the same accounts,
    plus the code sets above (so the workspace fixtures open on this store)."""
    shutil.copytree(clinical_template.data_dir, settings.data_dir)
    memory_keyring.secrets.update(store_template.secrets)
    opened = open_services(settings)
    yield opened
    opened.close()
