"""The right-hand side of the patients page: nothing chosen, a patient's details, or the form."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget

from clinic_app.ui.patients.patient_detail_view import PatientDetailView
from clinic_app.ui.patients.patient_form_view import PatientFormView
from clinic_app.ui.widgets.empty_state import EmptyState


class PatientPanelView(QStackedWidget):
    def __init__(
        self,
        detail: PatientDetailView,
        form: PatientFormView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientPanel")
        self.placeholder = EmptyState("patient")
        self.placeholder.set_message(
            "No patient open", "Choose a patient from the list, or create a new one."
        )
        self.detail = detail
        self.form = form
        self.addWidget(self.placeholder)
        self.addWidget(detail)
        self.addWidget(form)

    def show_placeholder(self) -> None:
        self.setCurrentWidget(self.placeholder)

    def show_detail(self) -> None:
        self.setCurrentWidget(self.detail)

    def show_form(self) -> None:
        self.setCurrentWidget(self.form)

    @property
    def showing_form(self) -> bool:
        return self.currentWidget() is self.form

    @property
    def showing_detail(self) -> bool:
        return self.currentWidget() is self.detail
