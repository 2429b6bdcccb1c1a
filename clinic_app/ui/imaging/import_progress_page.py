"""Import, step 3: the files go into the encrypted store, with progress and a Stop button.
Each file is stored on its own, so stopping keeps every file imported before it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWizardPage

from clinic_app.imaging.summaries import ImportReport
from clinic_app.ui.icons import icon
from clinic_app.ui.imaging.import_match_page import patient_line
from clinic_app.ui.imaging.import_state import ImportState


class ImportProgressPage(QWizardPage):
    import_requested = Signal()
    import_cancel_requested = Signal()

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.setObjectName("importProgressPage")
        self.setTitle("Importing")
        self._state = state
        self._done = False
        layout = QVBoxLayout(self)
        self.patient_label = QLabel()
        self.patient_label.setWordWrap(True)
        layout.addWidget(self.patient_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("importProgress")
        layout.addWidget(self.progress_bar)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("fieldHint")
        layout.addWidget(self.progress_label)
        self.stop_button = QPushButton(icon("cancel"), "Stop import")
        self.stop_button.setObjectName("stopImportButton")
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        layout.addWidget(self.stop_button)
        layout.addStretch(1)

    def initializePage(self) -> None:
        self._done = False
        self._state.report = None
        self._state.stopped = False
        patient = self._state.patient
        self.patient_label.setText(
            f"Adding {self._state.files_for_group()} file(s) to {patient_line(patient)}."
            if patient
            else ""
        )
        self.progress_bar.setRange(0, 0)
        self.progress_label.setText("Starting…")
        self.stop_button.setEnabled(True)
        self.import_requested.emit()

    def isComplete(self) -> bool:
        return self._done

    def _on_stop_button_clicked(self) -> None:
        self.stop_button.setEnabled(False)
        self.progress_label.setText("Stopping after the current file…")
        self.import_cancel_requested.emit()

    def show_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        self.progress_label.setText(f"{message}: {done} of {total}" if total else message)

    def import_finished(self, report: ImportReport | None, stopped: bool = False) -> None:
        self._state.report = report
        self._state.stopped = stopped
        if self._state.group_key is not None:
            self._state.imported_keys.add(self._state.group_key)
        self._done = True
        self.completeChanged.emit()
        self.wizard().next()
