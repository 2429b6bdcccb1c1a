"""Importing and activating code sets through the service: one transaction, audited, and a
failed import leaves the active version untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.codes.icd10cm_importer import Icd10cmFile
from clinic_app.codes.models import CodeSystem
from clinic_app.codes.source_set import CodeImportError
from clinic_app.errors import OperationCancelledError, PermissionDeniedError, ValidationError
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditFilter, list_events
from clinic_app.tasks import CancelToken, RecordingProgress

HCPCS = (
    "code,description,parent,synonyms,billable\n"
    "J,Drugs administered other than oral method,,,no\n"
    'J1100,"Injection, dexamethasone sodium phosphate, 1 mg",J,Decadron|dexamethasone shot,\n'
    "J3490,Unclassified drugs,J,,yes\n"
)


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_the_icd10cm_release_is_the_active_set(
    codes_services: Services, admin: AuthenticatedUser, doctor: AuthenticatedUser
) -> None:
    sets = codes_services.codes.list_sets(admin)
    assert [(s.system, s.version, s.active) for s in sets] == [
        (CodeSystem.ICD10CM, "2026-04", True)
    ]
    assert sets[0].billable_count == 74_719
    active = codes_services.codes.active_set(doctor, CodeSystem.ICD10CM)
    assert active is not None
    assert active.id == sets[0].id
    # ensure_icd10cm (first run) leaves an existing active set alone.
    assert codes_services.codes.ensure_icd10cm().id == sets[0].id


def test_a_csv_set_imports_searches_by_synonym_and_activates(
    codes_services: Services,
    admin: AuthenticatedUser,
    doctor: AuthenticatedUser,
    tmp_path: Path,
) -> None:
    codes = codes_services.codes
    progress = RecordingProgress()
    first = codes.import_file(
        admin, _write(tmp_path, "h.csv", HCPCS), CodeSystem.HCPCS, "2026-Q1", progress=progress
    )
    assert (first.active, first.code_count, first.billable_count) == (True, 3, 2)
    assert progress.events
    hits = codes.search(doctor, "decadron", system=CodeSystem.HCPCS)
    assert [h.code for h in hits] == ["J1100"]
    assert hits[0].set_version == "2026-Q1"
    detail = codes.get(doctor, "j1100", system=CodeSystem.HCPCS)
    assert [a.code for a in detail.ancestors] == ["J"]
    tsv = HCPCS.replace(",", "\t").replace(
        '"Injection\t dexamethasone', '"Injection, dexamethasone'
    )
    second = codes.import_file(
        admin, _write(tmp_path, "h.tsv", tsv), CodeSystem.HCPCS, "2026-Q2", activate=False
    )
    assert not second.active
    codes.activate(admin, CodeSystem.HCPCS, "2026-Q2")
    active = {(s.version, s.active) for s in codes.list_sets(admin) if s.system is CodeSystem.HCPCS}
    assert active == {("2026-Q1", False), ("2026-Q2", True)}
    with codes_services.db.unit_of_work(write=False) as uow:
        actions = [e.action for e in list_events(uow.session, AuditFilter(action="codes."))]
    assert actions.count("codes.import") == 3  # the release in the template, then these two
    assert "codes.activate" in actions


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,title\nA1,x\n", "lacks the column"),
        ("", "empty"),
        ("code,description\nA1,one\na1,two\n", "already appears on line 2"),
        (b"code,description\nA1,caf\xe9\n", "not UTF-8"),
        ("code,description,parent\nA1,one,ZZ\n", "parent code is not in the file"),
        ("code,description\nA1," + "x" * 30_000 + "\n", "Line 2"),
        ("code,description\nA1,\n", "required"),
        ("code,description,billable\nA1,one,maybe\n", "billable"),
    ],
    ids=["missing-column", "empty", "duplicate", "encoding", "parent", "huge", "blank", "flag"],
)
def test_a_bad_csv_is_refused_and_nothing_changes(
    codes_services: Services,
    admin: AuthenticatedUser,
    tmp_path: Path,
    content: str | bytes,
    message: str,
) -> None:
    before = codes_services.codes.list_sets(admin)
    with pytest.raises(CodeImportError, match=message):
        codes_services.codes.import_file(
            admin, _write(tmp_path, "bad.csv", content), CodeSystem.LOCAL, "v1"
        )
    assert codes_services.codes.list_sets(admin) == before


def test_a_broken_icd10cm_release_leaves_the_active_version_untouched(
    codes_services: Services, admin: AuthenticatedUser, doctor: AuthenticatedUser, tmp_path: Path
) -> None:
    before = codes_services.codes.list_sets(admin)
    truncated = _write(tmp_path, "t.xml", "<?xml version='1.0'?><ICD10CM.tabular><chapter>")
    release = Icd10cmFile(truncated, "2027-04", None, "test")
    with pytest.raises(CodeImportError):
        codes_services.codes.import_icd10cm(admin, release)
    assert codes_services.codes.list_sets(admin) == before
    assert codes_services.codes.search(doctor, "E11.9")[0].set_version == "2026-04"


def test_a_cancelled_import_writes_nothing(
    codes_services: Services, admin: AuthenticatedUser, tmp_path: Path
) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(OperationCancelledError):
        codes_services.codes.import_file(
            admin, _write(tmp_path, "h.csv", HCPCS), CodeSystem.HCPCS, "v1", cancel=token
        )
    assert len(codes_services.codes.list_sets(admin)) == 1


def test_the_same_version_cannot_be_imported_twice(
    codes_services: Services, admin: AuthenticatedUser
) -> None:
    with pytest.raises(CodeImportError, match="already imported"):
        codes_services.codes.import_icd10cm(admin)


def test_only_the_administrator_manages_code_sets(
    codes_services: Services, doctor: AuthenticatedUser, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDeniedError):
        codes_services.codes.import_file(
            doctor, _write(tmp_path, "h.csv", HCPCS), CodeSystem.HCPCS, "v1"
        )
    with pytest.raises(PermissionDeniedError):
        codes_services.codes.activate(doctor, CodeSystem.ICD10CM, "2026-04")


def test_icd10cm_is_not_imported_from_csv(
    codes_services: Services, admin: AuthenticatedUser, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="tabular XML"):
        codes_services.codes.import_file(
            admin, _write(tmp_path, "h.csv", HCPCS), CodeSystem.ICD10CM, "v1"
        )
