"""Import, last step: what was imported, what was already there, warnings, and every file
that could not be read with the reason."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWizardPage,
)

from clinic_app.imaging.summaries import FileProblem
from clinic_app.ui.imaging.file_problem_table_model import FileProblemTableModel, ProblemColumn
from clinic_app.ui.imaging.import_state import ImportState


class ImportResultPage(QWizardPage):
    next_patient_requested = Signal()

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.setObjectName("importResultPage")
        self.setTitle("Import finished")
        self.setSubTitle("What was imported, and every file that could not be, with the reason.")
        self.setFinalPage(True)
        self._state = state
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("importSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.summary_label)
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("formError")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.warnings_label)
        self.problems_caption = QLabel()
        self.problems_caption.setObjectName("sectionTitle")
        layout.addWidget(self.problems_caption)
        self.problems = FileProblemTableModel(self)
        self.problem_table = QTableView()
        self.problem_table.setObjectName("problemTable")
        self.problem_table.setModel(self.problems)
        self.problem_table.verticalHeader().hide()
        self.problem_table.setWordWrap(True)
        self.problem_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.problem_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.problem_table.horizontalHeader()
        header.setSectionResizeMode(ProblemColumn.FILE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ProblemColumn.REASON, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.problem_table, 1)
        self.next_button = QPushButton("Import the next DICOM patient's files…")
        self.next_button.setObjectName("nextPatientButton")
        self.next_button.clicked.connect(self.next_patient_requested)
        layout.addWidget(self.next_button)

    def initializePage(self) -> None:
        state = self._state
        report = state.report
        problems: list[FileProblem] = list(state.scan.problems) if state.scan else []
        if report is not None:
            problems = list(report.problems)
            done = f"Imported {report.imported} file(s)"
            if report.duplicates:
                verb = "was" if report.duplicates == 1 else "were"
                done += f"; {report.duplicates} {verb} already there"
            who = state.patient.display_name if state.patient else "the patient"
            self.summary_label.setText(f"{done}, for {who}.")
        elif state.stopped:
            self.summary_label.setText(
                "The import was stopped. Files imported before it stopped are kept."
            )
        else:
            self.summary_label.setText("Nothing was imported: no readable image was found.")
        warnings = list(report.warnings) if report is not None else []
        self.warnings_label.setText("\n".join(warnings))
        self.warnings_label.setVisible(bool(warnings))
        self.problems.replace_rows(problems)
        self.problems_caption.setText(
            f"{len(problems)} file(s) could not be imported" if problems else "Every file was read."
        )
        self.problem_table.setVisible(bool(problems))
        self.problem_table.resizeRowsToContents()
        remaining = len(state.remaining_groups) if report is not None else 0
        self.next_button.setVisible(remaining > 0)
        if remaining:
            self.next_button.setText(f"Import the next DICOM patient's files ({remaining} left)…")
