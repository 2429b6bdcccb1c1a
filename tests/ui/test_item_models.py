"""Every item model passes Qt's model tester, with rows, lazy loading and changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from clinic_app.patients.models import PatientSummary, Sex
from clinic_app.security.permissions import Role
from clinic_app.security.users import UserSummary
from clinic_app.storage.audit import AuditEvent
from clinic_app.ui.admin.audit_table_model import AuditTableModel
from clinic_app.ui.admin.backup_table_model import BackupFile, BackupTableModel
from clinic_app.ui.admin.user_table_model import UserTableModel
from clinic_app.ui.patients.patient_table_model import (
    PATIENT_ID_ROLE,
    PatientColumn,
    PatientTableModel,
)
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester


def patient(number: int, *, deleted: bool = False) -> PatientSummary:
    return PatientSummary(
        id=f"00000000-0000-0000-0000-{number:012d}",
        given_name=f"Given{number}",
        family_name=f"Family{number}",
        sex=Sex.FEMALE if number % 2 else Sex.MALE,
        birth_date=date(1950 + number % 50, 1 + number % 12, 1 + number % 28),
        phone=f"555 {number:04d}" if number % 3 else None,
        mrn=f"MRN-{number}",
        national_id=None,
        primary_doctor_id=None,
        version=1,
        deleted=deleted,
    )


def test_patient_table_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = PatientTableModel()
    qtmodeltester.check(model)
    # The tester stays attached and re-checks on every change below (and asks for more rows).
    model.replace_rows([patient(n) for n in range(30)], has_more=True)
    model.append_rows([patient(n) for n in range(30, 60)], has_more=True)
    model.update_patient(patient(7, deleted=True))
    model.fetch_failed()
    model.replace_rows([], has_more=False)
    qtmodeltester.check(model)


def test_patient_table_model_loads_one_page_at_a_time() -> None:
    model = PatientTableModel()
    requested: list[bool] = []
    model.more_requested.connect(lambda: requested.append(True))
    model.replace_rows([patient(n) for n in range(30)], has_more=True)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert requested == [True]
    assert not model.canFetchMore(QModelIndex()), "one page at a time"
    model.fetchMore(QModelIndex())
    assert requested == [True]
    model.append_rows([patient(n) for n in range(25, 60)], has_more=False)
    assert model.rowCount() == 60, "rows already shown are not repeated"
    assert not model.canFetchMore(QModelIndex())


def test_patient_table_model_shows_a_deleted_record_as_such() -> None:
    model = PatientTableModel()
    model.replace_rows([patient(n) for n in range(10)], has_more=False)
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles: changed.append(top.row()))
    assert model.update_patient(patient(7, deleted=True))
    assert changed == [7]
    index = model.index(7, PatientColumn.NAME)
    assert model.data(index) == "Family7, Given7 (deleted)"
    assert model.data(index, Qt.ItemDataRole.FontRole).strikeOut()
    assert model.data(index, PATIENT_ID_ROLE) == patient(7).id
    assert model.data(model.index(0, PatientColumn.PHONE)) == ""
    assert not model.update_patient(patient(99))


def test_user_table_model(qtmodeltester: ModelTester) -> None:
    model = UserTableModel()
    qtmodeltester.check(model)
    now = datetime.now(UTC)
    model.set_users(
        [
            UserSummary(f"id-{n}", f"user{n}", f"User {n}", role, n % 2 == 0, None, now)
            for n, role in enumerate(Role)
        ]
    )
    qtmodeltester.check(model)
    assert model.data(model.index(1, 3)) == "Disabled"
    assert model.data(model.index(3, 2)) == "Front desk"


def test_audit_table_model(qtmodeltester: ModelTester) -> None:
    model = AuditTableModel()
    qtmodeltester.check(model)

    def event(seq: int) -> AuditEvent:
        return AuditEvent(
            seq,
            f"e{seq}",
            datetime.now(UTC),
            "u1",
            "admin",
            "patient.view",
            "patient",
            f"record-{seq}",
            "ws",
            "denied" if seq % 5 == 0 else "ok",
            {"results": seq},
        )

    model.replace_events([event(n) for n in range(100, 0, -1)], has_more=True)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    model.append_events([event(n) for n in range(200, 150, -1)], has_more=False)
    qtmodeltester.check(model)
    assert model.rowCount() == 150
    assert model.data(model.index(0, 6)) == '{"results": 100}'


def test_backup_table_model(qtmodeltester: ModelTester) -> None:
    model = BackupTableModel()
    qtmodeltester.check(model)
    model.set_files(
        [
            BackupFile(Path(f"/backups/{name}"), size, datetime.now(UTC))
            for name, size in (
                ("backup-1.clinicbak", 10),
                ("auto-2-pre-migration.clinicbak", 20_000),
                ("pre-restore-3.clinicbak", 5_000_000),
            )
        ]
    )
    qtmodeltester.check(model)
    assert model.data(model.index(1, 3)) == "Automatic (before an upgrade)"
    assert model.data(model.index(2, 2)) == "4.8 MB"
