"""Import, step 2: whose images are these? The files' DICOM patient, the clinic's patients
that may be the same person (with why), the patient open in the viewer, or a new patient made
from the files' details. Nothing is merged silently: the user picks, then ticks to confirm."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from clinic_app.imaging.summaries import DicomPatientGroup
from clinic_app.patients.models import PatientInput, PatientSummary, Sex
from clinic_app.ui.imaging.candidate_table_model import CandidateColumn, CandidateTableModel
from clinic_app.ui.imaging.import_state import ImportState

EXISTING, CURRENT, NEW = 0, 1, 2


def describe_group(group: DicomPatientGroup) -> str:
    dicom = group.dicom
    name = ", ".join(part for part in (dicom.family_name, dicom.given_name) if part) or "no name"
    born = dicom.birth_date.isoformat() if dicom.birth_date else "birth date not given"
    ident = f"DICOM patient ID {dicom.patient_id}" if dicom.patient_id else "no patient ID"
    return f"In the files: {name} · {ident} · {born} · sex {dicom.sex} · {group.file_count} file(s)"


def differences(group: DicomPatientGroup | None, patient: PatientSummary) -> list[str]:
    """Where a chosen record disagrees with the files' own patient details."""
    if group is None:
        return []
    dicom, found = group.dicom, []
    if dicom.family_name and dicom.family_name.casefold() != patient.family_name.casefold():
        found.append(f"family name {patient.family_name!r} vs {dicom.family_name!r} in the files")
    if dicom.birth_date and dicom.birth_date != patient.birth_date:
        found.append(
            f"birth date {patient.birth_date.isoformat()} vs {dicom.birth_date.isoformat()} in "
            "the files"
        )
    return found


def _hidden_error() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def patient_line(patient: PatientSummary) -> str:
    record = f", record {patient.mrn}" if patient.mrn else ""
    return f"{patient.display_name} (born {patient.birth_date.isoformat()}{record})"


class ImportMatchPage(QWizardPage):
    create_requested = Signal(object)  # PatientInput

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.setObjectName("importMatchPage")
        self.setTitle("Whose images are these?")
        self.setSubTitle(
            "Pick the patient these images belong to and confirm. Proposed matches are only "
            "suggestions: nothing is added to a record until you confirm."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        self._state = state
        self._created: PatientSummary | None = None
        self._creating = False
        layout = QVBoxLayout(self)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("dicomGroups")
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_changed)
        layout.addWidget(self.group_combo)
        self.dicom_label = QLabel()
        self.dicom_label.setObjectName("dicomPatient")
        self.dicom_label.setWordWrap(True)
        self.dicom_label.setTextFormat(Qt.TextFormat.PlainText)
        self.dicom_label.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.dicom_label)
        self.choices = QButtonGroup(self)
        self.existing_radio = QRadioButton("A patient in this clinic (proposed matches)")
        self.candidates = CandidateTableModel(self)
        self.candidate_table = self._build_candidate_table()
        self.current_radio = QRadioButton()
        self.new_radio = QRadioButton("A new patient, from the details in the files")
        for button, key in ((self.existing_radio, EXISTING), (self.current_radio, CURRENT)):
            self.choices.addButton(button, key)
        self.choices.addButton(self.new_radio, NEW)
        self.choices.idToggled.connect(self._on_choices_id_toggled)
        layout.addWidget(self.existing_radio)
        layout.addWidget(self.candidate_table)
        layout.addWidget(self.current_radio)
        layout.addWidget(self.new_radio)
        layout.addWidget(self._build_new_form())
        self.photos_check = QCheckBox()
        self.photos_check.setObjectName("includePhotos")
        self.photos_check.toggled.connect(self._on_anything_changed)
        layout.addWidget(self.photos_check)
        self.mismatch_label = _hidden_error()
        layout.addWidget(self.mismatch_label)
        self.confirm_check = QCheckBox()
        self.confirm_check.setObjectName("confirmPatient")
        self.confirm_check.setStyleSheet("font-weight: 600;")
        self.confirm_check.toggled.connect(self.completeChanged)
        layout.addWidget(self.confirm_check)
        self.error_label = _hidden_error()
        layout.addWidget(self.error_label)
        layout.addStretch(1)

    def _build_candidate_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("candidateTable")
        table.setModel(self.candidates)
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setMaximumHeight(120)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CandidateColumn.REASONS, QHeaderView.ResizeMode.Stretch)
        table.selectionModel().selectionChanged.connect(self._on_candidate_selection_changed)
        return table

    def _build_new_form(self) -> QWidget:
        self.new_form = QWidget()
        form = QFormLayout(self.new_form)
        form.setContentsMargins(24, 0, 0, 0)
        self.given_edit = QLineEdit()
        self.family_edit = QLineEdit()
        self.sex_combo = QComboBox()
        for sex in Sex:
            self.sex_combo.addItem(sex.value.capitalize(), sex.value)
        self.birth_edit = QLineEdit()
        self.birth_edit.setPlaceholderText("YYYY-MM-DD")
        self.mrn_edit = QLineEdit()
        row = QHBoxLayout()
        row.addWidget(self.given_edit)
        row.addWidget(self.family_edit)
        form.addRow("Given · family name", row)
        details = QHBoxLayout()
        details.addWidget(self.sex_combo)
        details.addWidget(QLabel("Born"))
        details.addWidget(self.birth_edit)
        details.addWidget(QLabel("Record no."))
        details.addWidget(self.mrn_edit)
        form.addRow("Sex", details)
        for edit in (self.given_edit, self.family_edit, self.birth_edit, self.mrn_edit):
            edit.textEdited.connect(self._on_anything_changed)
        return self.new_form

    # --- filling -------------------------------------------------------------------------------

    def initializePage(self) -> None:
        self._created = None
        groups = self._state.remaining_groups
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        for group in groups:
            name = ", ".join(p for p in (group.dicom.family_name, group.dicom.given_name) if p)
            self.group_combo.addItem(f"{name or 'No name'} · {group.file_count} file(s)", group.key)
        self.group_combo.blockSignals(False)
        self.group_combo.setVisible(len(groups) > 1)
        current = self._state.current_patient
        self.current_radio.setVisible(current is not None)
        if current is not None:
            self.current_radio.setText(f"The patient open in the viewer: {patient_line(current)}")
        self._show_group(groups[0] if groups else None)

    def _show_group(self, group: DicomPatientGroup | None) -> None:
        self._state.group_key = group.key if group else None
        photos = len(self._state.scan.photo_files) if self._state.scan else 0
        if group is None:
            self.dicom_label.setText(f"Photos only ({photos}): the files name no patient.")
            candidates = []
            fill = PatientInput("", "", "unknown", "")
        else:
            self.dicom_label.setText(describe_group(group))
            candidates = list(group.candidates)
            fill = group.new_patient
        self.candidates.replace_rows(candidates)
        self.existing_radio.setEnabled(bool(candidates))
        self.candidate_table.setVisible(bool(candidates))
        self.existing_radio.setText(
            f"A patient in this clinic ({len(candidates)} proposed match(es) below)"
            if candidates
            else "A patient in this clinic (no matching record found)"
        )
        self.given_edit.setText(fill.given_name)
        self.family_edit.setText(fill.family_name)
        self.sex_combo.setCurrentIndex(max(self.sex_combo.findData(fill.sex), 0))
        self.birth_edit.setText(str(fill.birth_date or ""))
        self.mrn_edit.setText(fill.mrn)
        self.photos_check.setVisible(photos > 0 and group is not None)
        self.photos_check.setText(f"Also import the {photos} photo(s) for this patient")
        only_group = len(self._state.remaining_groups) <= 1
        self.photos_check.setChecked(photos > 0 and (group is None or only_group))
        self.choices.setExclusive(False)
        for button in self.choices.buttons():
            button.setChecked(False)
        self.choices.setExclusive(True)
        self._on_anything_changed()

    @Slot(int)
    def _on_group_combo_changed(self, index: int) -> None:
        key = self.group_combo.itemData(index)
        group = next((g for g in self._state.remaining_groups if g.key == key), None)
        self._show_group(group)

    # --- choosing --------------------------------------------------------------------------

    def choose_candidate(self, row: int) -> None:
        self.existing_radio.setChecked(True)
        self.candidate_table.selectRow(row)

    @property
    def chosen(self) -> int:
        return self.choices.checkedId()

    def chosen_patient_text(self) -> str:
        if self.chosen == EXISTING:
            rows = self.candidate_table.selectionModel().selectedRows()
            return patient_line(self.candidates.candidate(rows[0].row()).patient) if rows else ""
        if self.chosen == CURRENT and self._state.current_patient is not None:
            return patient_line(self._state.current_patient)
        if self.chosen == NEW:
            name = ", ".join(p for p in (self.family_edit.text(), self.given_edit.text()) if p)
            return f"a new patient, {name or 'no name yet'}"
        return ""

    @Slot(QItemSelection, QItemSelection)
    def _on_candidate_selection_changed(self, *_args: object) -> None:
        if self.candidate_table.selectionModel().hasSelection():
            self.existing_radio.setChecked(True)
        self._on_anything_changed()

    @Slot(int, bool)
    def _on_choices_id_toggled(self, _id: int, _checked: bool) -> None:
        self._on_anything_changed()

    @Slot()
    def _on_anything_changed(self) -> None:
        self.new_form.setEnabled(self.chosen == NEW)
        who = self.chosen_patient_text()
        self._state.include_photos = self.photos_check.isChecked()
        files = self._state.files_for_group()
        self.confirm_check.setText(
            f"I have checked: these {files} file(s) belong to {who}."
            if who
            else "Choose the patient above, then confirm here."
        )
        self.confirm_check.setEnabled(bool(who))
        chosen = self._chosen_record()
        mismatch = differences(self._state.group, chosen) if chosen is not None else []
        self.mismatch_label.setText(
            "Check before you confirm, this record differs from the files: "
            + "; ".join(mismatch)
            + "."
        )
        self.mismatch_label.setVisible(bool(mismatch))
        self.confirm_check.setChecked(False)  # every new choice is confirmed again
        self.error_label.hide()
        self.completeChanged.emit()

    def _chosen_record(self) -> PatientSummary | None:
        if self.chosen == EXISTING:
            rows = self.candidate_table.selectionModel().selectedRows()
            return self.candidates.candidate(rows[0].row()).patient if rows else None
        if self.chosen == CURRENT:
            return self._state.current_patient
        return None

    def isComplete(self) -> bool:
        if self._creating or not self.confirm_check.isChecked():
            return False
        if self.chosen == EXISTING:
            return self.candidate_table.selectionModel().hasSelection()
        return self.chosen in (CURRENT, NEW)

    def validatePage(self) -> bool:
        patient = self._chosen_record()
        if self.chosen == NEW:
            if self._created is None:
                self._creating = True
                self.completeChanged.emit()
                self.create_requested.emit(self.new_patient_input())
                return False
            patient = self._created
        if patient is None:
            return False
        self._state.patient = patient
        self._state.include_photos = self.photos_check.isChecked()
        return True

    def new_patient_input(self) -> PatientInput:
        return PatientInput(
            given_name=self.given_edit.text().strip(),
            family_name=self.family_edit.text().strip(),
            sex=str(self.sex_combo.currentData()),
            birth_date=self.birth_edit.text().strip(),
            mrn=self.mrn_edit.text().strip(),
        )

    def patient_created(self, patient: PatientSummary) -> None:
        self._created = patient
        self._creating = False
        self.completeChanged.emit()
        self.wizard().next()

    def creation_failed(self, message: str) -> None:
        self._creating = False
        self.error_label.setText(message)
        self.error_label.show()
        self.completeChanged.emit()
