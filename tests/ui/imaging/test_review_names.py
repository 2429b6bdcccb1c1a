"""Who did what on an AI result, as the doctor reads it: the people with an account on this
workstation by name, those from another workstation (accounts are not synced, so a pulled
review names someone unknown here) as "another workstation's user", never a bare id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
from clinic_app.bootstrap import Services
from clinic_app.imaging.summaries import OTHER_WORKSTATION_USER
from clinic_app.imaging.tables import AnalysisReviewRow
from clinic_app.security.permissions import Role
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.imaging.test_abcd import irregular_lesion
from tests.ui.fixtures import sign_in
from tests.ui.imaging.imaging_fixtures import PageFactory, import_paths
from tests.ui.imaging.viewer_steps import WAIT_MS, open_patient

NURSE_ELSEWHERE = "7d0c54f2-9a51-4c1e-b1e0-6a1d2f7e0a11"
DOCTOR_ELSEWHERE = "c3b8e0a4-1f27-4f0e-9d4c-2e5a8b6c9d22"


def _reviews_from_elsewhere(services: Services, analysis_id: str) -> None:
    """As sync stores them when pulled: rows naming people with no account here."""
    with services.db.unit_of_work() as uow:
        uow.session.add(
            AnalysisReviewRow(
                analysis_id=analysis_id,
                kind="review_requested",
                comment="second opinion please",
                actor_id=NURSE_ELSEWHERE,
                assigned_to=DOCTOR_ELSEWHERE,
            )
        )
        uow.flush()
        uow.session.add(
            AnalysisReviewRow(
                analysis_id=analysis_id,
                kind="accepted",
                comment="agree",
                actor_id=DOCTOR_ELSEWHERE,
            )
        )
        uow.commit()


def test_reviews_by_people_from_another_workstation_read_so_and_local_people_by_name(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    tmp_path: Path,
    screens: Callable[[QWidget, str], Path],
) -> None:
    nurse, doctor = sign_in(services, Role.NURSE), sign_in(services, Role.DOCTOR)
    photo = tmp_path / "lesion.png"
    cv2.imwrite(str(photo), irregular_lesion())
    patient = import_paths(services, nurse, [photo])
    [instance] = [
        image.id
        for study in services.imaging.studies(nurse, patient)
        for series in services.imaging.series(nurse, study.id)
        for image in services.imaging.instances(nurse, series.id)
    ]
    result = services.analyses.analyze_lesion(nurse, instance)
    services.analyses.request_review(nurse, result.id, doctor.id, "please check")
    _reviews_from_elsewhere(services, result.id)

    stored = services.analyses.get(doctor, result.id)
    assert stored.status == "accepted"
    assert stored.people == {nurse.id: "Joy Nurse", doctor.id: "Greg House"}
    assert stored.person(DOCTOR_ELSEWHERE) == OTHER_WORKSTATION_USER
    text = services.analyses.assessment_text(doctor, result.id)
    assert "accepted by a doctor on another workstation" in text

    page = imaging_page(Role.DOCTOR)
    with qtbot.waitSignal(page.analysis.models_loaded, timeout=WAIT_MS):
        page.page_shown()
    open_patient(qtbot, page, patient)
    if page.analysis.selected is None:
        with qtbot.waitSignal(page.analysis.result_shown, timeout=WAIT_MS):
            page.ai_view.select_result_row(0)
    bar = page.ai_view.result_view.review_bar
    lines = bar.history_label.text().splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "Joy Nurse, review requested → Greg House: “please check”",
        f"{OTHER_WORKSTATION_USER}, review requested → {OTHER_WORKSTATION_USER}: "
        "“second opinion please”",
        f"{OTHER_WORKSTATION_USER}, accepted: “agree”",
    ]
    assert NURSE_ELSEWHERE not in bar.history_label.text()
    assert bar.status_label.text() == "Accepted by a doctor"
    screens(page.ai_view.result_view, "ai_result_reviewed_elsewhere")
