"""Every item model of the imaging GUI under pytest-qt's model tester, with plain values (no
store): series, AI results, probabilities, model choices, import candidates, file problems."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from clinic_app.imaging.heatmap import Heatmap
from clinic_app.imaging.inference import ModelInfo
from clinic_app.imaging.summaries import (
    AnalysisResult,
    FileProblem,
    InstanceSummary,
    PatientCandidate,
    ReviewEvent,
    SeriesSummary,
    StudySummary,
)
from clinic_app.patients.models import PatientSummary, Sex
from clinic_app.ui.imaging.analysis_table_model import AnalysisColumn, AnalysisTableModel
from clinic_app.ui.imaging.candidate_table_model import CandidateColumn, CandidateTableModel
from clinic_app.ui.imaging.file_problem_table_model import FileProblemTableModel
from clinic_app.ui.imaging.model_choice import ABCD_CHOICE, ModelChoice
from clinic_app.ui.imaging.model_choice_list_model import ModelChoiceListModel
from clinic_app.ui.imaging.patient_images import SeriesEntry
from clinic_app.ui.imaging.probability_table_model import (
    IS_TOP_ROLE,
    PROBABILITY_ROLE,
    ProbabilityTableModel,
)
from clinic_app.ui.imaging.series_table_model import SeriesColumn, SeriesTableModel
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

NOW = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
QUADRANT = ModelInfo("quadrant-demo", "1.0.0", "ab" * 32, "demonstration", "Quadrant")


def instance(n: int, frames: int = 1) -> InstanceSummary:
    return InstanceSummary(
        id=f"inst-{n}",
        series_id="series-1",
        patient_id="patient-1",
        sop_instance_uid=f"1.2.{n}",
        instance_number=n,
        kind="dicom",
        content_type="application/dicom",
        file_name=f"IM{n:04d}",
        size_bytes=1000,
        sha256="00" * 32,
        rows=64,
        columns=64,
        frames=frames,
        photometric="MONOCHROME2",
        pixel_spacing=None,
        slice_position=float(n),
        px_per_mm=None,
    )


def entry(n: int, frames: int = 1) -> SeriesEntry:
    study = StudySummary(
        f"study-{n}",
        "patient-1",
        f"1.3.{n}",
        "dicom",
        date(2026, 1, n + 1),
        "Head",
        "",
        "Clinic",
        ("MR",),
        1,
        2,
    )
    series = SeriesSummary(f"series-{n}", study.id, f"1.4.{n}", n, "MR", f"T{n}", "HEAD", 2)
    return SeriesEntry(study, series, (instance(2 * n), instance(2 * n + 1, frames)))


def result(n: int, status: str = "") -> AnalysisResult:
    events = (ReviewEvent(status, "doctor-1", NOW, "", None),) if status else ()
    return AnalysisResult(
        id=f"analysis-{n}",
        instance_id=f"inst-{n}",
        patient_id="patient-1",
        frame_index=0,
        task="classification",
        model=QUADRANT,
        probabilities={"bright": 0.9, "dark": 0.1},
        label_names={"bright": "Bright corner", "dark": "Dark corner"},
        top_label="bright",
        top_probability=0.9,
        measurements=None,
        heatmap=Heatmap("bright", 0.9, np.zeros((2, 2), dtype=np.float32)),
        run_by="nurse-1",
        run_at=NOW + timedelta(minutes=n),
        events=events,
    )


def test_series_table_model(qtmodeltester: ModelTester) -> None:
    model = SeriesTableModel()
    qtmodeltester.check(model)
    model.replace_rows([entry(1), entry(2, frames=10)])
    qtmodeltester.check(model)
    assert model.index(0, SeriesColumn.SERIES).data() == "MR · Se 1 · 2 images\n2026-01-02 · T1"
    assert model.index(0, SeriesColumn.DATE).data() == "2026-01-02"
    assert model.index(1, SeriesColumn.IMAGES).data() == "11", "frames of every instance"
    assert model.row_of("series-2") == 1
    model.replace_rows([])
    qtmodeltester.check(model)


def test_analysis_table_model(qtmodeltester: ModelTester) -> None:
    model = AnalysisTableModel()
    qtmodeltester.check(model)
    instances = {f"inst-{n}": instance(n) for n in range(4)}
    model.replace_rows([result(1), result(2, "rejected")], instances)
    qtmodeltester.check(model)
    assert model.index(0, AnalysisColumn.IMAGE).data() == "Im 2", "newest first"
    assert model.index(0, AnalysisColumn.REVIEW).data() == "Rejected"
    assert model.index(1, AnalysisColumn.FINDING).data() == "Bright corner 90%"
    model.add_results([result(3)])
    model.update_result(result(1, "accepted"))
    assert model.index(0, AnalysisColumn.IMAGE).data() == "Im 3"
    assert model.index(2, AnalysisColumn.REVIEW).data() == "Accepted"
    assert model.latest_for("inst-2", 0) == 1
    assert model.latest_for("inst-9", 0) == -1
    qtmodeltester.check(model)


def test_probability_table_model(qtmodeltester: ModelTester) -> None:
    model = ProbabilityTableModel()
    qtmodeltester.check(model)
    model.show_result(result(1))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(0, 1).data() == "90.0%"
    assert model.index(1, 1).data(PROBABILITY_ROLE) == 0.1
    assert model.index(0, 0).data(IS_TOP_ROLE)
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    model.show_result(None)
    assert model.rowCount() == 0


def test_model_choice_list_model(qtmodeltester: ModelTester) -> None:
    model = ModelChoiceListModel()
    qtmodeltester.check(model)
    refused = ModelChoice("odd-pack", "", "odd-pack", "", "classification", (), "", "not signed")
    model.replace_rows([ABCD_CHOICE, refused])
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "odd-pack (refused)"
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == "Refused: not signed"
    assert "research" in model.index(0, 0).data()
    assert model.row_of("abcd-rule") == 0


def test_candidate_and_problem_table_models(qtmodeltester: ModelTester) -> None:
    candidates = CandidateTableModel()
    qtmodeltester.check(candidates)
    patient = PatientSummary(
        "p-1",
        "Archibald",
        "Doe",
        Sex.MALE,
        date(1950, 2, 3),
        None,
        "77654033",
        None,
        None,
        1,
        False,
    )
    candidates.replace_rows([PatientCandidate(patient, ("MRN equals the DICOM patient ID",))])
    qtmodeltester.check(candidates)
    assert candidates.index(0, CandidateColumn.NAME).data() == "Doe, Archibald"
    assert candidates.index(0, CandidateColumn.REASONS).data() == "MRN equals the DICOM patient ID"

    problems = FileProblemTableModel()
    qtmodeltester.check(problems)
    problems.replace_rows([FileProblem("/media/CD/notes.txt", "Not an image.")])
    qtmodeltester.check(problems)
    assert problems.index(0, 0).data() == "notes.txt"
    assert problems.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "/media/CD/notes.txt"
