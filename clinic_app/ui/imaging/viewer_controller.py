"""Drives the viewer: which series and frame is shown, the window, measurements and the
ruler calibration of photos. Frames come from the `FramePipeline` (off the GUI thread)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, Signal, Slot

from clinic_app.imaging.dicom_header import PixelSpacing
from clinic_app.imaging.display import DisplayImage, calibrate_px_per_mm
from clinic_app.imaging.summaries import InstanceSummary
from clinic_app.imaging.windowing import Window
from clinic_app.ui.imaging.canvas_items import Corner
from clinic_app.ui.imaging.frame_pipeline import FramePipeline, FrameRequest, RenderedFrame
from clinic_app.ui.imaging.image_canvas import ViewerTool
from clinic_app.ui.imaging.image_viewer_view import CUSTOM_WINDOW, ImageViewerView
from clinic_app.ui.imaging.patient_images import SeriesEntry
from clinic_app.ui.imaging.window_drag import dragged_window, window_text
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

FILE_DEFAULT = "File default"


@dataclass(frozen=True)
class Measurement:
    """A line on the image: (row, column) end points, its length in pixels and, when the
    pixel spacing is known, in millimetres."""

    start: tuple[float, float]
    end: tuple[float, float]
    pixels: float
    millimetres: float | None

    @property
    def text(self) -> str:
        if self.millimetres is not None:
            return f"{self.millimetres:.1f} mm"
        return f"{self.pixels:.1f} px"


def measure(spacing: PixelSpacing | None, start: QPointF, end: QPointF) -> Measurement:
    p1, p2 = (start.y(), start.x()), (end.y(), end.x())
    pixels = float(((p2[0] - p1[0]) ** 2 + (p2[1] - p1[1]) ** 2) ** 0.5)
    mm = spacing.distance_mm(p1, p2) if spacing is not None else None
    return Measurement(p1, p2, pixels, mm)


class ViewerController(QObject):
    frame_shown = Signal()  # a rendered frame is on screen (tests and benchmarks wait here)
    image_changed = Signal(str, int)  # instance id, frame: what the AI panel works on
    calibrated = Signal(object)  # InstanceSummary
    status_reported = Signal(str)

    def __init__(
        self, view: ImageViewerView, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._canvas = view.canvas
        self._context = context
        self.pipeline = FramePipeline(context, self)
        self.entry: SeriesEntry | None = None
        self._positions: list[tuple[InstanceSummary, int]] = []
        self.position = 0
        self.window: Window | None = None
        self._presets: list[Window | None] = []
        self._drag_start: Window | None = None
        self.shown: RenderedFrame | None = None
        self.measurements: list[Measurement] = []
        # The clinic's record, shown top left when the file names no patient (photos).
        self.patient_lines: tuple[str, ...] = ()
        self._canvas.labeller = self._label_length
        self.pipeline.frame_ready.connect(self._on_pipeline_frame_ready)
        self.pipeline.frame_failed.connect(self._on_pipeline_frame_failed)
        view.frame_changed.connect(self.go_to)
        view.preset_chosen.connect(self._on_view_preset_chosen)
        self._canvas.frame_step_requested.connect(self.step)
        self._canvas.window_drag_started.connect(self._on_canvas_window_drag_started)
        self._canvas.window_dragged.connect(self._on_canvas_window_dragged)
        self._canvas.measurement_drawn.connect(self._on_canvas_measurement_drawn)
        self._canvas.calibration_drawn.connect(self._on_canvas_calibration_drawn)
        self._canvas.zoom_changed.connect(self._update_corners)

    # --- what is shown -------------------------------------------------------------------

    @property
    def image(self) -> DisplayImage | None:
        return self.shown.image if self.shown is not None else None

    @property
    def instance(self) -> InstanceSummary | None:
        if not self._positions:
            return None
        return self._positions[self.position][0]

    @property
    def frame(self) -> int:
        return self._positions[self.position][1] if self._positions else 0

    @property
    def position_count(self) -> int:
        return len(self._positions)

    def show_entry(self, entry: SeriesEntry, instance_id: str = "", frame: int = 0) -> None:
        self.entry = entry
        self._positions = entry.positions()
        self.window = None
        self._presets = []
        self.shown = None
        self.measurements.clear()
        self._canvas.clear_picture()
        self._view.set_photo_mode(entry.is_photo)
        self._view.set_presets([], 0)
        start = self.position_of(instance_id, frame) if instance_id else 0
        self.position = max(start, 0)
        self._view.set_frames(len(self._positions), self.position)
        self._request()

    def clear(self) -> None:
        self.entry = None
        self._positions = []
        self.shown = None
        self.pipeline.clear()
        self._canvas.clear_picture()
        self._canvas.set_corner_text({})
        self._view.set_frames(0, 0)
        self._view.info_label.clear()

    def position_of(self, instance_id: str, frame: int = 0) -> int:
        for index, (instance, number) in enumerate(self._positions):
            if instance.id == instance_id and number == frame:
                return index
        return -1

    @Slot(int)
    def go_to(self, position: int) -> None:
        if not self._positions:
            return
        position = min(max(position, 0), len(self._positions) - 1)
        if position == self.position and self.shown is not None:
            return
        self.position = position
        self._view.show_frame(position, len(self._positions))
        self._request()

    @Slot(int)
    def step(self, delta: int) -> None:
        self.go_to(self.position + delta)

    def set_window(self, window: Window | None) -> None:
        self.window = window
        self._request()

    def _request(self) -> None:
        if not self._positions:
            return
        instance, frame = self._positions[self.position]
        self.pipeline.request(FrameRequest(instance.id, frame, self.window))

    # --- frames arriving ---------------------------------------------------------------------

    @Slot(object)
    def _on_pipeline_frame_ready(self, rendered: RenderedFrame) -> None:
        instance = self.instance
        if instance is None or (instance.id, self.frame) != (
            rendered.request.instance_id,
            rendered.request.frame,
        ):
            return  # an earlier position or series: the current one is on its way
        previous = self.shown
        self.shown = rendered
        self._canvas.show_picture(rendered.picture)
        if not self._presets and not rendered.image.is_colour:
            self._fill_presets(rendered.image)
        moved = previous is None or (
            previous.request.instance_id,
            previous.frame,
        ) != (rendered.request.instance_id, rendered.frame)
        if moved:
            self._canvas.clear_measurements()
            self.measurements.clear()
            self._update_info(rendered.image)
            self.image_changed.emit(rendered.request.instance_id, rendered.frame)
        self._update_corners()
        self.frame_shown.emit()

    @Slot(object)
    def _on_pipeline_frame_failed(self, error: BaseException) -> None:
        from clinic_app.ui.error_presenter import show_error

        show_error(self._view, error)

    def _fill_presets(self, image: DisplayImage) -> None:
        self._presets = [None, *image.presets]
        names = [FILE_DEFAULT] + [preset.name or window_text(preset) for preset in image.presets]
        self._view.set_presets(names, 0)

    @Slot(int)
    def _on_view_preset_chosen(self, index: int) -> None:
        if 0 <= index < len(self._presets) and self._view.preset_combo.currentText() != (
            CUSTOM_WINDOW
        ):
            self.set_window(self._presets[index])

    def _update_info(self, image: DisplayImage) -> None:
        spacing = image.pixel_spacing
        if spacing is not None:
            text = f"Distances in mm ({spacing.source}: {spacing.column_mm:.3g} mm per pixel)."
        elif image.kind == "photo":
            text = "Not calibrated: distances in pixels. Drag along a ruler with the Ruler tool."
        else:
            text = "No pixel spacing in this image: distances in pixels."
        self._view.info_label.setText(text)

    @Slot()
    def _update_corners(self) -> None:
        shown = self.shown
        if shown is None:
            self._canvas.set_corner_text({})
            return
        overlay = shown.image.overlay
        bottom_left = [*overlay.bottom_left]
        if len(self._positions) > 1:
            bottom_left.append(f"Image {self.position + 1} / {len(self._positions)}")
        bottom_right = [*overlay.bottom_right]
        if not shown.image.is_colour:
            bottom_right.append(window_text(shown.window))
        bottom_right.append(f"Zoom {self._canvas.scale_factor * 100:.0f}%")
        self._canvas.set_corner_text(
            {
                Corner.TOP_LEFT: overlay.top_left or self.patient_lines,
                Corner.TOP_RIGHT: overlay.top_right,
                Corner.BOTTOM_LEFT: bottom_left,
                Corner.BOTTOM_RIGHT: bottom_right,
            }
        )

    # --- gestures ----------------------------------------------------------------------------

    @Slot()
    def _on_canvas_window_drag_started(self) -> None:
        shown = self.shown
        self._drag_start = None
        if shown is None or shown.image.is_colour:
            return
        if shown.window is not None:
            self._drag_start = shown.window
        else:  # a VOI LUT: start from the auto window (the last preset)
            auto = shown.image.presets[-1] if shown.image.presets else None
            self._drag_start = auto

    @Slot(float, float)
    def _on_canvas_window_dragged(self, dx: float, dy: float) -> None:
        if self._drag_start is None:
            return
        self._view.show_custom_window()
        self.set_window(dragged_window(self._drag_start, dx, dy))

    def _label_length(self, start: QPointF, end: QPointF) -> str:
        image = self.image
        return measure(image.pixel_spacing if image else None, start, end).text

    @Slot(QPointF, QPointF)
    def _on_canvas_measurement_drawn(self, start: QPointF, end: QPointF) -> None:
        image = self.image
        if image is not None:
            self.measurements.append(measure(image.pixel_spacing, start, end))

    @Slot(QPointF, QPointF)
    def _on_canvas_calibration_drawn(self, start: QPointF, end: QPointF) -> None:
        instance, image = self.instance, self.image
        if instance is None or image is None or image.kind != "photo":
            return
        known = self._view.ruler_length.value()
        px_per_mm = calibrate_px_per_mm((start.x(), start.y()), (end.x(), end.y()), known)
        imaging, user = self._context.services.imaging, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: imaging.calibrate(user, instance.id, px_per_mm),
            label="photo calibration",
            owner=self,
            on_success=self._on_calibration_saved,
        )

    def _on_calibration_saved(self, summary: InstanceSummary) -> None:
        shown = self.shown
        if shown is None or summary.id != shown.request.instance_id or summary.px_per_mm is None:
            return
        spacing = PixelSpacing(1 / summary.px_per_mm, 1 / summary.px_per_mm, "calibration")
        image = dataclasses.replace(shown.image, pixel_spacing=spacing)
        self.pipeline.replace_cached(summary.id, image)
        self.shown = dataclasses.replace(shown, image=image)
        self._update_info(image)
        self._view.choose_tool(ViewerTool.MEASURE)
        self.status_reported.emit(f"Photo calibrated: {summary.px_per_mm:.2f} pixels per mm.")
        self.calibrated.emit(summary)
