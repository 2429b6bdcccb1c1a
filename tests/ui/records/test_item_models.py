"""Every records item model passes Qt's model tester, with rows, lazy batches and changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic_app.records.chart_models import Problem, TimelineEntry
from clinic_app.records.models import (
    Annotation,
    Assignment,
    AttachmentInfo,
    ReviewStatus,
    TargetType,
    WorklistItem,
)
from clinic_app.security.permissions import Role
from clinic_app.security.users import UserSummary
from clinic_app.ui.records.annotation_table_model import TAMPERED_NOTE, AnnotationTableModel
from clinic_app.ui.records.attachment_table_model import AttachmentTableModel
from clinic_app.ui.records.coded_entry_table_model import (
    CodedEntryTableModel,
    EntryColumn,
    EntryRow,
)
from clinic_app.ui.records.problem_table_model import ProblemTableModel
from clinic_app.ui.records.timeline_table_model import BATCH, TimelineColumn, TimelineTableModel
from clinic_app.ui.records.user_directory import UNKNOWN_PERSON, UserDirectory
from clinic_app.ui.records.worklist_table_model import WorklistTableModel
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DOCTOR = UserSummary("d1", "drhouse", "Greg House", Role.DOCTOR, True, None, None)
PEOPLE = UserDirectory((DOCTOR,))


def entry(number: int) -> TimelineEntry:
    kind = "visit" if number % 5 else "lab_result"
    status = "final" if kind != "visit" else ("open" if number == 1 else "signed")
    return TimelineEntry(
        kind, f"id{number}", T0 - timedelta(days=number), f"Item {number}", status, "d1"
    )


def test_the_timeline_model_passes_the_model_tester_and_hands_out_rows_in_batches(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    model = TimelineTableModel()
    qtmodeltester.check(model)
    model.replace_entries(tuple(entry(n) for n in range(250)), PEOPLE)
    assert model.rowCount() == BATCH, "the first batch at once"
    batches = [model.rowCount()]

    def fetch_all() -> bool:
        if model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
            assert not model.canFetchMore(QModelIndex()), "one batch at a time"
        if model.rowCount() != batches[-1]:
            batches.append(model.rowCount())
        return model.rowCount() == 250

    qtbot.waitUntil(fetch_all, timeout=2000)
    assert batches[0] == BATCH
    assert batches[-1] == 250
    assert model.index(1, TimelineColumn.STATUS).data() == "Open"
    assert model.index(0, TimelineColumn.KIND).data() == "Lab result"
    assert model.index(1, TimelineColumn.BY).data() == "Greg House"
    model.set_people(UserDirectory())
    assert model.index(1, TimelineColumn.BY).data() == UNKNOWN_PERSON
    model.replace_entries((), PEOPLE)
    qtmodeltester.check(model)


def test_the_problem_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ProblemTableModel()
    qtmodeltester.check(model)
    model.replace_problems(
        (Problem("I10", "ICD-10-CM", "2026", "Essential hypertension", T0, T0, "v1"),)
    )
    assert model.index(0, 0).data() == "I10"
    model.replace_problems(())
    qtmodeltester.check(model)


def test_the_coded_entry_model_passes_the_model_tester_and_keeps_one_primary(
    qtmodeltester: ModelTester,
) -> None:
    model = CodedEntryTableModel()
    qtmodeltester.check(model)
    assert model.add_row(EntryRow("I10", "Essential hypertension", "ICD-10-CM", "2026"))
    assert model.add_row(EntryRow("E11.9", "Type 2 diabetes", "ICD-10-CM", "2026"))
    assert not model.add_row(EntryRow("I10", "again", "ICD-10-CM", "2026"))
    primary = model.index(0, EntryColumn.PRIMARY)
    assert model.setData(primary, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert model.setData(
        model.index(1, EntryColumn.PRIMARY), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
    )
    assert [row.primary for row in model.rows()] == [False, True], "one primary at most"
    model.set_errors({1: "Not a valid ICD-10-CM code."})
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == "Not a valid ICD-10-CM code."
    model.writable = False
    assert not model.setData(
        model.index(0, EntryColumn.RESOLVED), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
    )
    model.writable = True
    model.remove_row(0)
    assert model.codes() == ["E11.9"]
    assert model.inputs()[0].primary
    model.replace_rows([])
    qtmodeltester.check(model)


def test_the_attachment_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = AttachmentTableModel()
    qtmodeltester.check(model)
    info = AttachmentInfo(
        "a1",
        "p1",
        TargetType.VISIT,
        "v1",
        "scan.pdf",
        "image/png",
        "application/pdf",
        True,
        (),
        2048,
        "0" * 64,
        "d1",
        T0,
    )
    model.replace_attachments([info], PEOPLE)
    assert model.index(0, 1).data() == "PNG image"
    assert model.index(0, 2).data() == "2.0 KB"
    assert "content is PNG image" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    model.replace_attachments([], PEOPLE)
    qtmodeltester.check(model)


def test_the_annotation_model_passes_the_model_tester_and_flags_a_broken_signature(
    qtmodeltester: ModelTester,
) -> None:
    model = AnnotationTableModel()
    qtmodeltester.check(model)
    good = Annotation("n1", TargetType.VISIT, "v1", "p1", "d1", T0, "0" * 64, "Fine.", "s", True)
    later = T0 + timedelta(minutes=1)
    bad = Annotation("n2", TargetType.VISIT, "v1", "p1", "d1", later, "0" * 64, "Odd.", "s", False)
    model.replace_annotations([bad, good], PEOPLE)
    assert model.index(1, 2).data() == "⚠ Odd."
    assert model.index(1, 2).data(Qt.ItemDataRole.ToolTipRole) == TAMPERED_NOTE
    model.replace_annotations([], PEOPLE)
    qtmodeltester.check(model)


def test_the_worklist_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = WorklistTableModel()
    qtmodeltester.check(model)
    assignment = Assignment(
        "r1", TargetType.VISIT, "v1", "p1", "d1", "d1", ReviewStatus.PENDING, T0, None, None, None
    )
    model.replace_items([WorklistItem(assignment, "Okafor, Amara", "Cough", T0)], PEOPLE)
    assert model.index(0, 1).data() == "Visit: Cough"
    assert model.index(0, 5).data() == "Waiting"
    model.replace_items([], PEOPLE)
    qtmodeltester.check(model)
