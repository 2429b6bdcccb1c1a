"""The import wizard: choose → whose images (confirmed by the user) → import → what happened.
A view: it signals what the user asked for; the `ImportController` does the work."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget, QWizard

from clinic_app.patients.models import PatientSummary
from clinic_app.ui.imaging.import_match_page import ImportMatchPage
from clinic_app.ui.imaging.import_progress_page import ImportProgressPage
from clinic_app.ui.imaging.import_result_page import ImportResultPage
from clinic_app.ui.imaging.import_source_page import ImportSourcePage
from clinic_app.ui.imaging.import_state import ImportPageId, ImportState


class ImportWizard(QWizard):
    def __init__(
        self, current_patient: PatientSummary | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle("Import images")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(780, 560)
        self.state = ImportState(current_patient=current_patient)
        self.source_page = ImportSourcePage(self.state)
        self.match_page = ImportMatchPage(self.state)
        self.progress_page = ImportProgressPage(self.state)
        self.result_page = ImportResultPage(self.state)
        self.setPage(ImportPageId.SOURCE, self.source_page)
        self.setPage(ImportPageId.MATCH, self.match_page)
        self.setPage(ImportPageId.PROGRESS, self.progress_page)
        self.setPage(ImportPageId.RESULT, self.result_page)
        self.setStartId(ImportPageId.SOURCE)
        self.result_page.next_patient_requested.connect(self._on_result_page_next_patient)

    @Slot()
    def _on_result_page_next_patient(self) -> None:
        """Back to "whose images" for the DICOM patients not imported yet (same scan)."""
        self.state.patient = None
        self.state.report = None
        self.setStartId(ImportPageId.MATCH)
        self.restart()
