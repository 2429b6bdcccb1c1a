"""The viewer over real DICOM files from pydicom's test data: the right frame on screen,
window/level by dragging and by preset, MONOCHROME1 inverted, frames by slider, keys and
wheel, and distances in mm exactly as the core computes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from clinic_app.bootstrap import Services
from clinic_app.imaging.windowing import Window, apply_window
from clinic_app.security.permissions import Role
from clinic_app.ui.imaging.canvas_items import Corner
from clinic_app.ui.imaging.image_canvas import ViewerTool
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import sign_in
from tests.ui.imaging.imaging_fixtures import PageFactory, dicom, import_paths
from tests.ui.imaging.viewer_steps import (
    WAIT_MS,
    ctrl_wheel,
    drag_on_image,
    drag_on_screen,
    make_stack,
    open_patient,
    shown_pixels,
)


def test_a_ct_is_shown_as_the_core_renders_it_and_dragging_the_window_changes_it(
    qtbot: QtBot, services: Services, imaging_page: PageFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [dicom("CT_small.dcm")])
    page = imaging_page(Role.DOCTOR)
    open_patient(qtbot, page, patient)

    instance = page.viewer.instance
    assert instance is not None
    core = services.imaging.load_image(doctor, instance.id)
    shown = page.viewer.shown
    assert shown is not None
    assert shown.window is not None
    before = shown_pixels(page)
    assert np.array_equal(before, core.render(0, shown.window))
    corners = page.viewer_view.canvas.corners
    assert "CompressedSamples, CT1" in corners[Corner.TOP_LEFT]
    assert any("W " in line and "L " in line for line in corners[Corner.BOTTOM_RIGHT])
    canvas = page.viewer_view.canvas
    with_text = canvas.viewport().grab().toImage()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_O)
    assert not page.viewer_view.overlay_button.isChecked()
    assert canvas.viewport().grab().toImage() != with_text, "the corner text is gone"
    qtbot.keyClick(canvas, Qt.Key.Key_O)
    assert canvas.viewport().grab().toImage() == with_text

    centre = canvas.viewport().rect().center()
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        drag_on_screen(canvas, centre, centre + QPoint(-120, 40), Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: not page.viewer.pipeline.busy, timeout=WAIT_MS)
    dragged = page.viewer.window
    assert dragged is not None
    assert dragged.width < shown.window.width, "dragging left narrows the window"
    assert dragged.center > shown.window.center, "dragging down raises the level"
    assert page.viewer_view.preset_combo.currentText() == "Custom"
    after = shown_pixels(page)
    assert not np.array_equal(after, before)
    assert np.array_equal(after, core.render(0, dragged))

    combo = page.viewer_view.preset_combo
    lung = combo.findText("Lung")
    assert lung > 0, "CT presets are offered"
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        combo.setCurrentIndex(lung)
        combo.activated.emit(lung)
    assert page.viewer.window == Window(-600, 1500, "Lung")
    assert np.array_equal(shown_pixels(page), core.render(0, Window(-600, 1500)))


def test_monochrome1_is_shown_inverted(
    qtbot: QtBot, services: Services, imaging_page: PageFactory
) -> None:
    nurse = sign_in(services, Role.NURSE)
    patient = import_paths(services, nurse, [dicom("dicomdirtests/77654033/CR1/6154")])
    page = imaging_page(Role.NURSE)
    open_patient(qtbot, page, patient)

    instance = page.viewer.instance
    assert instance is not None
    assert instance.photometric == "MONOCHROME1"
    core = services.imaging.load_image(nurse, instance.id)
    window = page.viewer.shown.window if page.viewer.shown else None
    assert window is not None
    upright = apply_window(core.frame(0), window, invert=False)
    assert np.array_equal(shown_pixels(page), 255 - upright), "low values are shown white"
    assert upright.std() > 0, "the check has contrast to invert"


def test_the_slider_keys_and_ctrl_wheel_step_through_a_stack_in_slice_order(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, tmp_path: Path
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, make_stack(tmp_path / "stack", 4))
    page = imaging_page(Role.DOCTOR)
    open_patient(qtbot, page, patient)
    slider = page.viewer_view.frame_slider
    assert slider.isVisible()
    assert slider.maximum() == 3
    numbers = [inst.instance_number for inst, _frame in page.viewer.entry.positions()]  # type: ignore[union-attr]
    assert numbers == [1, 2, 3, 4], "slices in position order, not file order"

    def expect(position: int) -> None:
        assert page.viewer.position == position
        instance = page.viewer.instance
        assert instance is not None
        assert instance.instance_number == position + 1
        shown = page.viewer.shown
        assert shown is not None
        assert shown.request.instance_id == instance.id
        core = services.imaging.load_image(doctor, instance.id)
        assert np.array_equal(shown_pixels(page), core.render(0, shown.window))
        assert page.viewer_view.frame_label.text() == f"Image {position + 1} / 4"

    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        slider.setValue(2)
    expect(2)
    canvas = page.viewer_view.canvas
    canvas.setFocus()
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        qtbot.keyClick(canvas, Qt.Key.Key_PageDown)
    expect(3)
    assert slider.value() == 3
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        qtbot.keyClick(canvas, Qt.Key.Key_PageUp)
    expect(2)
    with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
        ctrl_wheel(canvas, 1)
    expect(1)
    scale = canvas.scale_factor
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.scale_factor > scale
    qtbot.keyClick(canvas, Qt.Key.Key_F)
    assert abs(canvas.scale_factor - scale) < 1e-6


def test_the_frames_of_a_multi_frame_image_are_each_shown(
    qtbot: QtBot, services: Services, imaging_page: PageFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [dicom("rtdose.dcm")])
    page = imaging_page(Role.DOCTOR)
    open_patient(qtbot, page, patient)
    assert page.viewer_view.frame_slider.maximum() == 14
    instance = page.viewer.instance
    assert instance is not None
    core = services.imaging.load_image(doctor, instance.id)
    window = Window(float(core.frames.mean()), float(np.ptp(core.frames)) or 1.0)
    page.viewer.set_window(window)
    qtbot.waitUntil(lambda: page.viewer.shown is not None and page.viewer.shown.window == window)
    for frame in (7, 14):
        with qtbot.waitSignal(page.viewer.frame_shown, timeout=WAIT_MS):
            page.viewer_view.frame_slider.setValue(frame)
        assert page.viewer.frame == frame
        assert np.array_equal(shown_pixels(page), core.render(frame, window))
    assert not np.array_equal(core.render(7, window), core.render(14, window))


def test_a_measurement_is_in_mm_as_the_core_computes_it(
    qtbot: QtBot, services: Services, imaging_page: PageFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    patient = import_paths(services, doctor, [dicom("CT_small.dcm")])
    page = imaging_page(Role.DOCTOR)
    open_patient(qtbot, page, patient)
    page.viewer_view.choose_tool(ViewerTool.MEASURE)
    canvas = page.viewer_view.canvas
    drag_on_image(canvas, (20.0, 30.0), (100.0, 90.0))

    [measurement] = page.viewer.measurements
    [line] = canvas.measurements
    start, end = line.points
    instance = page.viewer.instance
    assert instance is not None
    spacing = services.imaging.load_image(doctor, instance.id).pixel_spacing
    assert spacing is not None
    expected = spacing.distance_mm((start.y(), start.x()), (end.y(), end.x()))
    assert measurement.millimetres == expected
    assert abs(expected - np.hypot(80, 60) * 0.661468) < 0.05 * expected, "about where dragged"
    assert line.label.text == f"{expected:.1f} mm"
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert canvas.measurements == []


def test_a_photo_measures_in_px_until_its_ruler_calibrates_it(
    qtbot: QtBot, services: Services, imaging_page: PageFactory, tmp_path: Path
) -> None:
    from tests.ui.imaging.viewer_steps import bright_corner_photo

    nurse = sign_in(services, Role.NURSE)
    patient = import_paths(services, nurse, [bright_corner_photo(tmp_path)])
    page = imaging_page(Role.NURSE)
    open_patient(qtbot, page, patient)
    view = page.viewer_view
    assert not view.preset_combo.isVisible(), "photos have no window/level"
    assert view.canvas.corners[Corner.TOP_LEFT][0] == "Durand-Lefèvre, Élodie", "the record's name"
    assert view.tool_buttons[ViewerTool.CALIBRATE].isVisible()
    view.choose_tool(ViewerTool.MEASURE)
    drag_on_image(view.canvas, (10.0, 10.0), (70.0, 10.0))
    assert page.viewer.measurements[0].millimetres is None
    assert view.canvas.measurements[0].label.text.endswith(" px")

    view.choose_tool(ViewerTool.CALIBRATE)
    view.ruler_length.setValue(12.0)
    with qtbot.waitSignal(page.viewer.calibrated, timeout=WAIT_MS) as saved:
        drag_on_image(view.canvas, (10.0, 50.0), (70.0, 50.0))
    summary = saved.args[0]
    line = QPointF(70.0, 50.0) - QPointF(10.0, 50.0)
    assert summary.px_per_mm is not None
    start = view.canvas.mapToScene(view.canvas.mapFromScene(QPointF(10.0, 50.0)))
    end = view.canvas.mapToScene(view.canvas.mapFromScene(QPointF(70.0, 50.0)))
    assert abs(summary.px_per_mm - (end.x() - start.x()) / 12.0) < 1e-6
    assert abs(summary.px_per_mm - line.x() / 12.0) < 0.5, "about 5 px per mm"
    [stored] = [
        inst
        for study in services.imaging.studies(nurse, patient)
        for series in services.imaging.series(nurse, study.id)
        for inst in services.imaging.instances(nurse, series.id)
    ]
    assert stored.px_per_mm == summary.px_per_mm

    assert view.current_tool is ViewerTool.MEASURE
    drag_on_image(view.canvas, (10.0, 80.0), (70.0, 80.0))
    measurement = page.viewer.measurements[-1]
    assert measurement.millimetres is not None
    assert abs(measurement.millimetres - measurement.pixels / summary.px_per_mm) < 1e-9
