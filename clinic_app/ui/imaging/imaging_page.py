"""The imaging page: a patient's series on the left, the viewer in the middle, the AI panel on
the right, and the import wizard. Other pages open it with `open_requested("imaging",
patient id)` (the patients page's Images button)."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import QSplitter, QStackedWidget, QVBoxLayout

from clinic_app.security.permissions import Action
from clinic_app.ui.imaging.ai_panel_view import AiPanelView
from clinic_app.ui.imaging.analysis_controller import AnalysisController
from clinic_app.ui.imaging.analysis_table_model import AnalysisTableModel
from clinic_app.ui.imaging.image_viewer_view import ImageViewerView
from clinic_app.ui.imaging.import_controller import ImportController
from clinic_app.ui.imaging.model_choice_list_model import ModelChoiceListModel
from clinic_app.ui.imaging.patient_images import PatientImages, load_patient_images
from clinic_app.ui.imaging.series_list_view import SeriesListView
from clinic_app.ui.imaging.series_table_model import SeriesTableModel
from clinic_app.ui.imaging.series_thumbnails import SeriesThumbnails
from clinic_app.ui.imaging.viewer_controller import ViewerController
from clinic_app.ui.shell.shell_page import PageContext, ShellPage
from clinic_app.ui.tasks.task_runner import Lane
from clinic_app.ui.widgets.empty_state import EmptyState


class ImagingPage(ShellPage):
    patient_loaded = Signal()  # the patient's series and results are shown (tests wait here)

    def __init__(self, context: PageContext) -> None:
        super().__init__()
        self._context = context
        user = context.user
        self.images: PatientImages | None = None
        self._models_requested = False
        self._generation = 0  # the latest patient asked for; older answers are dropped
        self.series_model = SeriesTableModel(self)
        self.choice_model = ModelChoiceListModel(self)
        self.result_model = AnalysisTableModel(self)
        self.series_view = SeriesListView(
            self.series_model, can_import=user.can(Action.IMAGING_IMPORT)
        )
        self.viewer_view = ImageViewerView(can_calibrate=user.can(Action.IMAGING_IMPORT))
        self.ai_view = AiPanelView(
            self.choice_model,
            self.result_model,
            can_run=user.can(Action.AI_RUN),
            can_review=user.can(Action.AI_REVIEW),
        )
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.series_view)
        splitter.addWidget(self.viewer_view)
        splitter.addWidget(self.ai_view)
        self.series_view.setMinimumWidth(230)
        self.ai_view.setMinimumWidth(390)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 560, 390])
        self.empty_state = EmptyState("empty")
        self.empty_state.set_message(
            "No patient open",
            "Open a patient's images from the Patients page (the Images button), or import "
            "images from a CD, a folder or photos.",
            "Import images…" if user.can(Action.IMAGING_IMPORT) else "",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.viewer = ViewerController(self.viewer_view, context, self)
        self.analysis = AnalysisController(
            self.ai_view,
            self.choice_model,
            self.result_model,
            self.viewer_view.canvas,
            context,
            self,
        )
        self.importer = ImportController(context, self, self)
        self.thumbnails = SeriesThumbnails(context, parent=self)
        self._connect()

    def _connect(self) -> None:
        self.series_view.series_chosen.connect(self._on_series_view_series_chosen)
        self.series_view.import_requested.connect(self.open_import)
        self.empty_state.action_clicked.connect(self.open_import)
        self.viewer.image_changed.connect(self._on_viewer_image_changed)
        self.viewer.status_reported.connect(self.status_reported)
        self.analysis.status_reported.connect(self.status_reported)
        self.analysis.navigate_requested.connect(self.show_image)
        self.importer.imported.connect(self._on_importer_imported)
        self.thumbnails.thumbnail_ready.connect(self.series_model.set_thumbnail)

    # --- shell ---------------------------------------------------------------------------

    def page_shown(self) -> None:
        if not self._models_requested:
            self._models_requested = True
            self.analysis.load_models()

    def open_item(self, item: object) -> bool:
        if isinstance(item, str) and item:
            self.load_patient(item)
            return True
        return False

    def shutdown(self) -> None:
        self.analysis.shutdown()
        self.importer.shutdown()
        self.viewer.pipeline.clear()

    # --- the patient -----------------------------------------------------------------------

    @property
    def showing(self) -> str:
        return "viewer" if self.stack.currentIndex() == 1 else "empty"

    def load_patient(self, patient_id: str) -> None:
        services, user = self._context.services, self._context.user
        self._generation += 1
        generation = self._generation
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: (generation, load_patient_images(services, user, patient_id)),
            label="patient images",
            owner=self,
            on_success=self._on_patient_images_loaded,
        )

    def _on_patient_images_loaded(self, outcome: tuple[int, PatientImages]) -> None:
        generation, images = outcome
        if generation != self._generation:
            return
        same_patient = self.images is not None and self.images.patient.id == images.patient.id
        previous = self.viewer.entry.series.id if same_patient and self.viewer.entry else ""
        self.images = images
        self.series_model.replace_rows(list(images.entries))
        self.series_view.show_patient(images.patient, len(images.entries))
        patient = images.patient
        self.viewer.patient_lines = (
            patient.display_name,
            " · ".join(p for p in (f"born {patient.birth_date.isoformat()}", patient.mrn) if p),
        )
        self.analysis.set_patient(images)
        self.viewer.clear()
        self.stack.setCurrentIndex(1)
        if images.entries:
            row = max(self.series_model.row_of(previous), 0) if previous else 0
            self.series_view.select_row(row)
        # Queued after the first frame's request: the picture on the canvas comes first.
        self.thumbnails.request(list(images.entries))
        self.patient_loaded.emit()

    @Slot(int)
    def _on_series_view_series_chosen(self, row: int) -> None:
        entry = self.series_model.entry(row)
        if self.viewer.entry is entry:
            return
        self.viewer.show_entry(entry)
        self.analysis.set_series(entry)

    @Slot(str, int)
    def show_image(self, instance_id: str, frame: int) -> None:
        """Shows an image of the open patient wherever it is (another series included)."""
        if self.images is None:
            return
        entry = self.images.entry_of_instance(instance_id)
        if entry is None:
            return
        if self.viewer.entry is not None and self.viewer.entry.series.id == entry.series.id:
            self.viewer.go_to(max(self.viewer.position_of(instance_id, frame), 0))
            return
        row = self.series_model.row_of(entry.series.id)
        with QSignalBlocker(self.series_view.table.selectionModel()):
            self.series_view.select_row(row)
        self.viewer.show_entry(self.series_model.entry(row), instance_id, frame)
        self.analysis.set_series(self.series_model.entry(row))

    @Slot(str, int)
    def _on_viewer_image_changed(self, instance_id: str, frame: int) -> None:
        self.analysis.image_shown(instance_id, frame, self.viewer.image)

    # --- import ----------------------------------------------------------------------------

    @Slot()
    def open_import(self) -> None:
        if self._context.user.can(Action.IMAGING_IMPORT):
            self.importer.open_wizard(self.images.patient if self.images else None)

    @Slot(str)
    def _on_importer_imported(self, patient_id: str) -> None:
        self.load_patient(patient_id)
        self.status_reported.emit("Images imported.")
