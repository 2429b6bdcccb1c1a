"""Choosing the open visit whose assessment an accepted AI result is added to, with the exact
text that will be added shown first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_app.records.models import VisitSummary


def visit_text(visit: VisitSummary) -> str:
    when = visit.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    reason = f" · {visit.reason}" if visit.reason else ""
    return f"{when}{reason}"


class VisitChoiceDialog(QDialog):
    visit_chosen = Signal(str)  # visit id

    def __init__(
        self, visits: list[VisitSummary], text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("visitChoiceDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Add to a visit's assessment")
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        title = QLabel("Add the accepted AI result to a visit's assessment")
        title.setObjectName("dialogTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        hint = QLabel(
            "The text below is appended to the assessment of the visit you choose. Only open "
            "(unsigned) visits of this patient are offered; the newest is chosen."
        )
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.visit_combo = QComboBox()
        self.visit_combo.setObjectName("assessmentVisit")
        for visit in visits:
            self.visit_combo.addItem(visit_text(visit), visit.id)
        self.visit_combo.setVisible(bool(visits))
        layout.addWidget(self.visit_combo)
        self.empty_label = QLabel(
            "This patient has no open visit. Open a visit on the chart page, then add the "
            "result to its assessment."
        )
        self.empty_label.setObjectName("formError")
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(not visits)
        layout.addWidget(self.empty_label)
        self.preview = QPlainTextEdit(text)
        self.preview.setObjectName("assessmentPreview")
        self.preview.setReadOnly(True)
        self.preview.setMaximumHeight(96)
        layout.addWidget(self.preview)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.add_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add to assessment")
        self.add_button.setEnabled(bool(visits))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # Ctrl+Enter adds from anywhere in the dialog (Enter alone works on the button).
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self._on_buttons_accepted)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        visit_id = self.visit_combo.currentData()
        if visit_id and self.add_button.isEnabled():
            self.visit_chosen.emit(str(visit_id))
            self.accept()
