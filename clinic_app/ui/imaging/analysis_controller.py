"""Runs models on the viewer's image or series (compute lane, progress, cancel), lists the
patient's results, shows the chosen one with its heatmap or outline on the image, and carries
the clinicians' decisions: accept or reject (doctors), copy an accepted result to the
assessment, request a doctor's review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.imaging.heatmap import heatmap_overlay_rgba
from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.security.permissions import Action
from clinic_app.ui.imaging.ai_panel_view import AiPanelView
from clinic_app.ui.imaging.analysis_table_model import AnalysisTableModel
from clinic_app.ui.imaging.image_canvas import ImageCanvas
from clinic_app.ui.imaging.model_choice import ABCD, ModelChoice, model_choices
from clinic_app.ui.imaging.model_choice_list_model import ModelChoiceListModel
from clinic_app.ui.imaging.patient_images import PatientImages, SeriesEntry
from clinic_app.ui.imaging.qimage_arrays import qimage_from_array
from clinic_app.ui.imaging.review_controller import ReviewController
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskFunction, TaskHandle

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from clinic_app.imaging.display import DisplayImage
    from clinic_app.ui.shell.shell_page import PageContext

HEATMAP_GRID = 7


class AnalysisController(QObject):
    models_loaded = Signal()
    analysis_finished = Signal()  # success, failure or cancel: tests wait here
    result_shown = Signal()
    status_reported = Signal(str)
    navigate_requested = Signal(str, int)  # instance id, frame: show this image

    def __init__(
        self,
        view: AiPanelView,
        choices: ModelChoiceListModel,
        results: AnalysisTableModel,
        canvas: ImageCanvas,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._choices = choices
        self._results = results
        self._canvas = canvas
        self._context = context
        user = context.user
        self._can_run = user.can(Action.AI_RUN)
        self._images: PatientImages | None = None
        self._entry: SeriesEntry | None = None
        self._instance_id = ""
        self._frame = 0
        self._image: DisplayImage | None = None
        self._pinned = ""
        self.handle: TaskHandle | None = None
        self.last_error: BaseException | None = None
        self._heatmaps: dict[str, QImage] = {}  # result id -> RGBA overlay at full opacity
        self._heatmap_pending: set[str] = set()
        self.reviews = ReviewController(view.result_view, context, self)
        self.reviews.result_updated.connect(self._on_reviews_result_updated)
        self.reviews.status_reported.connect(self.status_reported)
        view.model_chosen.connect(self._on_view_model_chosen)
        view.run_image_requested.connect(self.run_image)
        view.run_series_requested.connect(self.run_series)
        view.cancel_requested.connect(self.cancel)
        view.result_chosen.connect(self._on_view_result_chosen)
        result_view = view.result_view
        result_view.heatmap_toggled.connect(self._on_heatmap_toggled)
        result_view.heatmap_opacity_changed.connect(self._canvas.set_heatmap_opacity)
        result_view.abcd_view.outline_toggled.connect(self._on_outline_toggled)

    # --- set-up ------------------------------------------------------------------------------

    def load_models(self) -> None:
        registry = self._context.services.models
        self._context.runner.run(
            Lane.COMPUTE,
            lambda _ctx: model_choices(*registry.scan()),
            label="model registry scan",
            owner=self,
            on_success=self._on_models_scanned,
        )
        self.reviews.load_people()

    def _on_models_scanned(self, choices: list[ModelChoice]) -> None:
        self._choices.replace_rows(choices)
        first = next((i for i, c in enumerate(choices) if c.usable), 0)
        self._view.model_combo.setCurrentIndex(first if choices else -1)
        self._on_view_model_chosen(self._view.model_combo.currentIndex())
        self.models_loaded.emit()

    @property
    def choice(self) -> ModelChoice | None:
        return self._choices.choice(self._view.model_combo.currentIndex())

    @property
    def selected(self) -> AnalysisResult | None:
        return self._view.result_view.result

    def set_patient(self, images: PatientImages | None) -> None:
        self._images = images
        self._entry = None
        self._instance_id, self._image, self._pinned = "", None, ""
        self._heatmaps.clear()
        instances = {
            instance.id: instance
            for entry in (images.entries if images else ())
            for instance in entry.instances
        }
        self._results.replace_rows(list(images.results) if images else [], instances)
        self._show(None)
        self._refresh_run_buttons()

    def set_series(self, entry: SeriesEntry | None) -> None:
        self._entry = entry
        self._refresh_run_buttons()

    def image_shown(self, instance_id: str, frame: int, image: DisplayImage | None) -> None:
        """The viewer moved to another image: follow it with its newest result."""
        self._instance_id, self._frame, self._image = instance_id, frame, image
        pinned = self._results.row_of(self._pinned) if self._pinned else -1
        if pinned >= 0 and self._on_image(self._results.result(pinned)):
            row = pinned
        else:
            row = self._results.latest_for(instance_id, frame)
        self._pinned = ""
        self._view.select_result_row(row)
        if row < 0:
            self._show(None)
        self._update_overlays()  # the same result may stay chosen for a new picture
        self._refresh_run_buttons()

    # --- running -------------------------------------------------------------------------

    def _refresh_run_buttons(self) -> None:
        choice = self.choice
        idle = self.handle is None or not self.handle.running
        usable = self._can_run and idle and choice is not None and choice.usable
        image_ok = bool(self._instance_id) and self._image is not None
        if choice is not None and choice.kind == ABCD:
            image_ok = image_ok and self._image is not None and self._image.is_colour
        series_ok = choice is not None and choice.runs_on_series and self._entry is not None
        self._view.set_run_enabled(usable and image_ok, usable and series_ok)

    @Slot(int)
    def _on_view_model_chosen(self, row: int) -> None:
        self._view.show_choice(self._choices.choice(row))
        self._refresh_run_buttons()

    @Slot()
    def run_image(self) -> None:
        choice = self.choice
        if choice is None or not choice.usable or not self._instance_id:
            return
        analyses, user = self._context.services.analyses, self._context.user
        instance_id, frame = self._instance_id, self._frame
        structures = self._view.structures

        def work(ctx: TaskContext) -> list[AnalysisResult]:
            if choice.kind == ABCD:
                return [
                    analyses.analyze_lesion(user, instance_id, differential_structures=structures)
                ]
            return [
                analyses.analyze_instance(
                    user,
                    instance_id,
                    choice.name,
                    frame=frame,
                    heatmap_grid=HEATMAP_GRID,
                    progress=ctx.progress,
                    cancel=ctx.cancel,
                )
            ]

        self._pinned = ""
        self._start(work, "image analysis")

    @Slot()
    def run_series(self) -> None:
        choice, entry = self.choice, self._entry
        if choice is None or not choice.runs_on_series or entry is None:
            return
        analyses, user = self._context.services.analyses, self._context.user
        series_id = entry.series.id

        def work(ctx: TaskContext) -> list[AnalysisResult]:
            return analyses.analyze_series(
                user, series_id, choice.name, progress=ctx.progress, cancel=ctx.cancel
            )

        self._start(work, "series analysis")

    def _start(self, work: TaskFunction, label: str) -> None:
        self.last_error = None
        self._view.set_running(True)
        self.handle = self._context.runner.run(
            Lane.COMPUTE,
            work,
            label=label,
            owner=self,
            on_success=self._on_analysis_succeeded,
            on_failure=self._on_analysis_failed,
        )
        self.handle.progressed.connect(self._view.show_progress)
        self.handle.cancelled.connect(self._on_analysis_cancelled)
        self._refresh_run_buttons()

    @Slot()
    def cancel(self) -> None:
        if self.handle is not None and self.handle.running:
            self.handle.cancel()
            self._view.cancel_button.setEnabled(False)
            self._view.progress_label.setText("Cancelling…")

    def _finish(self) -> None:
        self.handle = None
        self._view.set_running(False)
        self._refresh_run_buttons()
        self.analysis_finished.emit()

    def _on_analysis_succeeded(self, results: list[AnalysisResult]) -> None:
        patient = self._images.patient.id if self._images is not None else ""
        results = [r for r in results if r.patient_id == patient]  # another patient opened since
        self._results.add_results(list(reversed(results)))
        if results:
            shown = next((r for r in results if self._on_image(r)), results[0])
            self._view.select_result_row(self._results.row_of(shown.id))
        count = len(results)
        self.status_reported.emit(
            f"AI analysis finished: {count} result{'s' if count != 1 else ''}."
        )
        self._finish()

    def _on_analysis_failed(self, error: BaseException) -> None:
        self.last_error = error
        self._finish()
        from clinic_app.ui.error_presenter import show_error

        show_error(self._view, error)

    def _on_analysis_cancelled(self) -> None:
        self.status_reported.emit("AI analysis cancelled; results already stored are kept.")
        self._finish()

    # --- the chosen result -------------------------------------------------------------------

    def _on_image(self, result: AnalysisResult) -> bool:
        return (result.instance_id, result.frame_index) == (self._instance_id, self._frame)

    @Slot(int)
    def _on_view_result_chosen(self, row: int) -> None:
        if row < 0:
            self._show(None)
            return
        result = self._results.result(row)
        self._show(result)
        if not self._on_image(result):
            self._pinned = result.id
            self.navigate_requested.emit(result.instance_id, result.frame_index)

    def _show(self, result: AnalysisResult | None) -> None:
        self._view.result_view.show_result(result, self.reviews.names)
        self._view.no_result_label.setVisible(result is None)
        self._update_overlays()
        self.result_shown.emit()

    def _update_overlays(self) -> None:
        result = self.selected
        on_image = result is not None and self._on_image(result) and self._image is not None
        outline: list[tuple[float, float]] | None = None
        wanted = self._view.result_view.abcd_view.outline_check.isChecked()
        if on_image and result is not None and result.measurements and wanted:
            contour = result.measurements.get("contour", ())
            outline = [(float(x), float(y)) for x, y in contour]
        self._canvas.set_outline(outline)
        if not on_image or result is None or result.heatmap is None:
            self._canvas.set_heatmap(None)
            return
        picture = self._heatmaps.get(result.id)
        if picture is None:
            self._canvas.set_heatmap(None)
            self._compute_heatmap(result)
            return
        self._canvas.set_heatmap(picture, self._view.result_view.opacity)
        self._canvas.set_heatmap_visible(self._view.result_view.heatmap_check.isChecked())

    def _compute_heatmap(self, result: AnalysisResult) -> None:
        image, heatmap = self._image, result.heatmap
        if image is None or heatmap is None or result.id in self._heatmap_pending:
            return
        self._heatmap_pending.add(result.id)
        rows, columns = image.rows, image.columns

        def work(_ctx: TaskContext) -> QImage:
            return qimage_from_array(heatmap_overlay_rgba(heatmap, rows, columns, 1.0))

        def done(picture: QImage) -> None:
            self._heatmap_pending.discard(result.id)
            self._heatmaps[result.id] = picture
            if self.selected is not None and self.selected.id == result.id:
                self._update_overlays()
                self.result_shown.emit()

        self._context.runner.run(
            Lane.DATABASE, work, label="heatmap overlay", owner=self, on_success=done
        )

    @Slot(bool)
    def _on_heatmap_toggled(self, checked: bool) -> None:
        self._canvas.set_heatmap_visible(checked)

    @Slot(bool)
    def _on_outline_toggled(self, _checked: bool) -> None:
        self._update_overlays()

    def _on_reviews_result_updated(self, result: AnalysisResult) -> None:
        self._results.update_result(result)
        if self.selected is not None and self.selected.id == result.id:
            self._show(result)

    def shutdown(self) -> None:
        self.cancel()
