"""Thumbnails in the series list: each series shows its middle picture, rendered off the GUI
thread and kept in memory, so a patient opened again shows them at once; a series whose file
can't be decoded keeps the placeholder. With a screenshot of the list for review by eye."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from clinic_app.bootstrap import Services
from clinic_app.imaging.thumbnails import thumbnail_pixels
from clinic_app.security.permissions import Role
from clinic_app.ui.imaging.imaging_page import ImagingPage
from clinic_app.ui.imaging.qimage_arrays import array_from_qimage
from clinic_app.ui.imaging.series_thumbnails import thumbnail_source
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from tests.patient_inputs import patient_input
from tests.ui.fixtures import sign_in
from tests.ui.imaging.imaging_fixtures import PageFactory, dicom
from tests.ui.imaging.viewer_steps import WAIT_MS, bright_corner_photo, make_stack, open_patient

Screens = Callable[[QWidget, str], Path]


def _all_shown(page: ImagingPage) -> bool:
    model = page.series_model
    return all(model.has_thumbnail(model.entry(r).series.id) for r in range(model.rowCount()))


def _patient_with_three_series(services: Services, tmp_path: Path) -> str:
    doctor = sign_in(services, Role.DOCTOR)
    patient = services.patients.create(
        doctor, patient_input(given_name="Archibald", family_name="Doe", mrn="MRN-20431")
    ).patient.id
    for paths in (
        [dicom("CT_small.dcm")],
        make_stack(tmp_path / "mr", 5),
        [bright_corner_photo(tmp_path)],
    ):
        scan = services.imaging_import.scan(doctor, paths)
        keys = [group.key for group in scan.groups]
        services.imaging_import.import_files(
            doctor, scan, patient, group_key=keys[0] if keys else None
        )
    return patient


def test_each_series_shows_its_middle_picture_and_reopening_uses_the_cache(
    qtbot: QtBot,
    services: Services,
    imaging_page: PageFactory,
    tmp_path: Path,
    screens: Screens,
) -> None:
    patient = _patient_with_three_series(services, tmp_path)
    page = imaging_page(Role.DOCTOR)
    open_patient(qtbot, page, patient)
    model = page.series_model
    assert model.rowCount() == 3
    qtbot.waitUntil(lambda: _all_shown(page), timeout=WAIT_MS)
    doctor = sign_in(services, Role.DOCTOR)
    for row in range(3):
        entry = model.entry(row)
        index = model.index(row, 0)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(icon, QIcon)
        picture = icon.pixmap(64, 64, QIcon.Mode.Selected)
        assert (picture.width(), picture.height()) == (64, 64)
        instance_id, frame = thumbnail_source(entry)
        if entry.series.modality == "MR":
            ordered = [i.id for i in entry.instances]
            assert instance_id == ordered[len(ordered) // 2], "the middle slice of the stack"
        expected = thumbnail_pixels(services.imaging.load_image(doctor, instance_id), frame)
        shown = array_from_qimage(picture.toImage())  # RGBA
        rows, columns = expected.shape[:2]
        top, left = (64 - rows) // 2, (64 - columns) // 2
        inner = shown[top : top + rows, left : left + columns, :3].astype(int)
        want = expected if expected.ndim == 3 else np.repeat(expected[..., None], 3, axis=2)
        assert np.abs(inner - want.astype(int)).max() <= 1, entry.series.modality
        if rows < 64:
            assert shown[0, :, :3].max() == 0, "a black band above a wide picture"
    screens(page, "series_list_thumbnails")

    # Another patient, then back: the pictures come from memory, no new rendering.
    other = services.patients.create(doctor, patient_input(given_name="Other")).patient.id
    with qtbot.waitSignal(page.patient_loaded, timeout=WAIT_MS):
        page.open_item(other)
    assert page.series_model.rowCount() == 0
    assert page.series_view.empty_label.isVisibleTo(page.series_view)
    with qtbot.waitSignal(page.patient_loaded, timeout=WAIT_MS):
        page.open_item(patient)
    assert page.thumbnails.pending == frozenset()
    assert _all_shown(page)


def test_a_series_that_cannot_be_decoded_keeps_its_placeholder(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, tmp_path: Path
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = services.patients.create(doctor, patient_input()).patient.id
    photo = bright_corner_photo(tmp_path)
    scan = services.imaging_import.scan(doctor, [photo])
    [instance] = services.imaging_import.import_files(doctor, scan, patient).instance_ids
    # The stored bytes are lost afterwards (a damaged database): the read refuses the image.
    with services.db.unit_of_work() as uow:
        uow.session.execute(
            text("DELETE FROM imaging_file_chunks WHERE instance_id = :i"),
            {"i": instance},
        )
        uow.commit()
    page = imaging_page(Role.DOCTOR)
    awaited = [page.patient_loaded, page.thumbnails.thumbnail_failed]
    with qtbot.waitSignals(awaited, timeout=WAIT_MS):
        page.open_item(patient)
    series_id = page.series_model.entry(0).series.id
    assert not page.series_model.has_thumbnail(series_id)
    placeholder = page.series_model.index(0, 0).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(placeholder, QIcon)
    assert placeholder.availableSizes() == [QSize(64, 64)]
    assert page.thumbnails.pending == frozenset()
