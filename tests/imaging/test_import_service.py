"""Importing DICOM media, folders and photos into the encrypted store: the scan proposes whose
images they are, the caller confirms, unreadable files are listed while the rest import, and
nothing is merged silently. Then the viewer's reads: studies, series, stacks, decoded images."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import OperationCancelledError, ValidationError
from clinic_app.imaging.errors import UnreadableImageError
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.tasks import CancelToken
from sqlalchemy.exc import DatabaseError

from tests.imaging.conftest import shipped
from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, outbox_entries, scalar

CR_CT_FOLDER = "dicomdirtests/77654033"


@pytest.fixture
def nurse(users: dict[Role, AuthenticatedUser]) -> AuthenticatedUser:
    return users[Role.NURSE]


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """A 'CD': the CR and CT images of one patient, a photo, a damaged file and a text file."""
    folder = tmp_path / "media"
    shutil.copytree(shipped(f"{CR_CT_FOLDER}/CR1/6154").parents[1], folder / "IMAGES")
    photo = np.full((50, 80, 3), 200, dtype=np.uint8)
    cv2.imwrite(str(folder / "wound.png"), photo)
    data = shipped(f"{CR_CT_FOLDER}/CT2/17106").read_bytes()
    (folder / "broken.dcm").write_bytes(data[: len(data) * 2 // 3])  # header fine, pixels cut
    (folder / "notes.txt").write_text("not an image")
    return folder


def _patient(services: Services, user: AuthenticatedUser, **fields: str) -> str:
    return services.patients.create(user, patient_input(**fields)).patient.id


def test_a_scan_proposes_matches_and_imports_nothing(
    services: Services, nurse: AuthenticatedUser, media: Path
) -> None:
    match = _patient(services, nurse, mrn="77654033")
    before = scalar(services.db, "SELECT count(*) FROM imaging_instances")
    scan = services.imaging_import.scan(nurse, [media])
    assert len(scan.dicom_files) == 8  # the damaged file's header still reads
    assert len(scan.photo_files) == 1
    [group] = scan.groups
    assert group.dicom.patient_id == "77654033"
    assert group.dicom.family_name == "Doe"
    assert [c.patient.id for c in group.candidates] == [match]
    assert group.candidates[0].reasons == ("MRN equals the DICOM patient ID",)
    assert group.new_patient.family_name == "Doe"
    assert group.new_patient.mrn == "77654033"
    reasons = {Path(p.path).name: p.reason for p in scan.problems}
    assert set(reasons) == {"notes.txt"}
    assert "Not a DICOM file" in reasons["notes.txt"]
    assert scalar(services.db, "SELECT count(*) FROM imaging_instances") == before


def test_confirmed_import_stores_studies_and_lists_problems(
    services: Services, nurse: AuthenticatedUser, media: Path
) -> None:
    patient = _patient(services, nurse, mrn="77654033")
    scan = services.imaging_import.scan(nurse, [media])
    report = services.imaging_import.import_files(nurse, scan, patient, px_per_mm=12.5)
    assert report.imported == 8
    assert report.duplicates == 0
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert set(reasons) == {"broken.dcm", "notes.txt"}
    assert "truncated" in reasons["broken.dcm"]
    assert "The DICOM family name differs from the chosen patient's." in report.warnings
    by_source = {s.source: s for s in report.studies}
    assert set(by_source) == {"dicom", "photo"}
    dicom = [s for s in report.studies if s.source == "dicom"]
    assert sorted(s.modalities for s in dicom) == [("CR",), ("CT",)]
    assert sum(s.instance_count for s in report.studies) == 8
    # Every row is synced (outbox) and every file audited, in the encrypted database.
    assert scalar(services.db, "SELECT count(*) FROM imaging_file_chunks") == 8
    kinds = {e.entity_type for e in outbox_entries(services.db)}
    assert {"imaging_studies", "imaging_series", "imaging_instances"} <= kinds
    imports = [e for e in audit_events(services.db) if e.action == "imaging.import"]
    assert len(imports) == 8
    again = services.imaging_import.import_files(nurse, scan, patient)
    assert (again.imported, again.duplicates) == (0, 8)


def test_files_of_several_dicom_patients_are_never_merged(
    services: Services, nurse: AuthenticatedUser, tmp_path: Path
) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    shutil.copy(shipped("CT_small.dcm"), folder / "ct.dcm")
    shutil.copy(shipped("MR_small.dcm"), folder / "mr.dcm")
    patient = _patient(services, nurse)
    scan = services.imaging_import.scan(nurse, [folder])
    assert len(scan.groups) == 2
    with pytest.raises(ValidationError, match="2 different patients"):
        services.imaging_import.import_files(nurse, scan, patient)
    ct_group = next(g for g in scan.groups if g.dicom.patient_id == "1CT1")
    report = services.imaging_import.import_files(
        nurse, scan, patient, group_key=ct_group.key, include_photos=False
    )
    assert report.imported == 1
    assert report.studies[0].modalities == ("CT",)


def test_an_image_already_filed_for_another_patient_is_not_imported_again(
    services: Services, nurse: AuthenticatedUser
) -> None:
    first, second = _patient(services, nurse), _patient(services, nurse, mrn="OTHER-2")
    scan = services.imaging_import.scan(nurse, [shipped("CT_small.dcm")])
    services.imaging_import.import_files(nurse, scan, first)
    report = services.imaging_import.import_files(nurse, scan, second)
    assert report.imported == 0
    assert "already imported for another patient" in report.problems[0].reason
    assert services.imaging.studies(nurse, second) == []


def test_a_dicomdir_brings_the_files_it_lists(services: Services, nurse: AuthenticatedUser) -> None:
    scan = services.imaging_import.scan(nurse, [shipped("dicomdirtests/DICOMDIR")])
    assert len(scan.dicom_files) == 31
    assert sorted(g.dicom.given_name for g in scan.groups) == ["Archibald", "Peter"]


def test_a_cancelled_import_keeps_what_was_imported(
    services: Services, nurse: AuthenticatedUser, media: Path
) -> None:
    patient = _patient(services, nurse)
    scan = services.imaging_import.scan(nurse, [media / "IMAGES" / "CT2"])  # 4 slices
    token = CancelToken()

    class CancelAfterTwo:
        def report(self, done: int, total: int, message: str = "") -> None:
            if done == 2:
                token.cancel()

    with pytest.raises(OperationCancelledError):
        services.imaging_import.import_files(
            nurse, scan, patient, progress=CancelAfterTwo(), cancel=token
        )
    assert scalar(services.db, "SELECT count(*) FROM imaging_instances") == 2


def test_the_viewer_gets_studies_series_stacks_and_images(
    services: Services, nurse: AuthenticatedUser, media: Path
) -> None:
    patient = _patient(services, nurse)
    scan = services.imaging_import.scan(nurse, [media])
    services.imaging_import.import_files(nurse, scan, patient)
    studies = services.imaging.studies(nurse, patient)
    ct_study = next(s for s in studies if s.modalities == ("CT",))
    [series] = services.imaging.series(nurse, ct_study.id)
    stack = services.imaging.instances(nurse, series.id)
    positions = [i.slice_position for i in stack]
    assert len(stack) == 4
    assert positions == sorted(positions)
    image = services.imaging.load_image(nurse, stack[0].id)
    assert image.kind == "dicom"
    assert image.modality == "CT"
    assert image.render().dtype == np.uint8
    assert image.pixel_spacing is not None
    assert any(w.name == "Lung" for w in image.presets)
    views = [e for e in audit_events(services.db) if e.action == "imaging.view"]
    assert views[-1].record_id == stack[0].id
    photo_study = next(s for s in studies if s.source == "photo")
    [photo_series] = services.imaging.series(nurse, photo_study.id)
    [photo] = services.imaging.instances(nurse, photo_series.id)
    calibrated = services.imaging.calibrate(nurse, photo.id, 8.0)
    assert calibrated.pixel_spacing is not None
    assert calibrated.pixel_spacing.row_mm == pytest.approx(0.125)
    shown = services.imaging.load_image(nurse, photo.id)
    assert shown.is_colour
    assert shown.pixel_spacing is not None
    assert shown.pixel_spacing.source == "calibration"


def test_stored_image_bytes_are_immutable_and_checked(
    services: Services, nurse: AuthenticatedUser
) -> None:
    patient = _patient(services, nurse)
    scan = services.imaging_import.scan(nurse, [shipped("CT_small.dcm")])
    services.imaging_import.import_files(nurse, scan, patient)
    instance = scalar(services.db, "SELECT id FROM imaging_instances")
    with services.db.engine.begin() as connection, pytest.raises(DatabaseError, match="immutable"):
        connection.exec_driver_sql("UPDATE imaging_file_chunks SET data = x'00'")
    with services.db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM imaging_file_chunks")
    with pytest.raises(UnreadableImageError, match="missing from the database"):
        services.imaging.load_image(nurse, instance)
