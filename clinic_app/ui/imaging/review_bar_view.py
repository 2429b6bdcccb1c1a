"""A result's review: its decisions so far, and (by role) accept or reject with a comment,
copy to the visit's assessment (accepted results only) and request a doctor's review."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.ui.icons import icon

_STATUS_TEXT = {
    "pending": ("Pending: not yet reviewed by a doctor", "#7a4f00"),
    "accepted": ("Accepted by a doctor", "#1e6b34"),
    "rejected": ("Rejected by a doctor", "#b42318"),
}


class ReviewBarView(QWidget):
    decided = Signal(bool, str)  # accept?, comment
    copy_requested = Signal()
    review_requested = Signal()

    def __init__(
        self, *, can_review: bool, can_request: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewBarView")
        self._can_review = can_review
        # Adding to a visit's assessment needs the right to assess visits (the records service
        # checks it too); the controller sets this from the user's role.
        self.can_copy = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel()
        self.status_label.setObjectName("reviewStatus")
        layout.addWidget(self.status_label)
        self.history_label = QLabel()
        self.history_label.setObjectName("fieldHint")
        self.history_label.setWordWrap(True)
        self.history_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.history_label)
        self.comment_edit = QLineEdit()
        self.comment_edit.setObjectName("reviewComment")
        self.comment_edit.setPlaceholderText("Comment for your decision (optional)")
        self.comment_edit.setMaxLength(2000)
        layout.addWidget(self.comment_edit)
        grid = QGridLayout()
        self.accept_button = QPushButton(icon("verify"), "Accept")
        self.accept_button.setObjectName("acceptButton")
        self.reject_button = QPushButton(icon("cancel"), "Reject")
        self.reject_button.setObjectName("rejectButton")
        self.copy_button = QPushButton(icon("copy"), "Add to assessment…")
        self.copy_button.setObjectName("copyToAssessmentButton")
        self.request_button = QPushButton(icon("assign"), "Request review…")
        self.request_button.setObjectName("requestReviewButton")
        grid.addWidget(self.accept_button, 0, 0)
        grid.addWidget(self.reject_button, 0, 1)
        grid.addWidget(self.copy_button, 1, 0)
        grid.addWidget(self.request_button, 1, 1)
        layout.addLayout(grid)
        self.role_hint = QLabel("Only a doctor can accept or reject a result.")
        self.role_hint.setObjectName("fieldHint")
        layout.addWidget(self.role_hint)
        for widget in (self.accept_button, self.reject_button, self.comment_edit):
            widget.setVisible(can_review)
        self.role_hint.setVisible(not can_review)
        self.request_button.setVisible(can_request)
        self.accept_button.clicked.connect(self._on_accept_button_clicked)
        self.reject_button.clicked.connect(self._on_reject_button_clicked)
        self.copy_button.clicked.connect(self.copy_requested)
        self.request_button.clicked.connect(self.review_requested)
        self.copy_button.setToolTip(
            "Adds the result, labelled as decision support, to an open visit's assessment. "
            "Only a result a doctor has accepted can be added."
        )

    def show_result(self, result: AnalysisResult, names: dict[str, str]) -> None:
        text, colour = _STATUS_TEXT.get(result.status, (result.status, "#3d4f5f"))
        self.status_label.setText(text)
        style = f"color: {colour}; font-weight: 600;"
        if self.status_label.styleSheet() != style:
            self.status_label.setStyleSheet(style)
        lines = []
        for event in result.events[-4:]:
            who = names.get(event.actor_id) or result.person(event.actor_id)
            when = event.at.strftime("%Y-%m-%d %H:%M")
            what = event.kind.replace("_", " ")
            if event.assigned_to:
                what += f" → {names.get(event.assigned_to) or result.person(event.assigned_to)}"
            comment = f": “{event.comment}”" if event.comment else ""
            lines.append(f"{when} {who}, {what}{comment}")
        self.history_label.setText("\n".join(lines))
        self.history_label.setVisible(bool(lines))
        self.copy_button.setEnabled(result.can_copy_to_assessment and self.can_copy)
        self.comment_edit.clear()
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        for button in (self.accept_button, self.reject_button, self.request_button):
            button.setEnabled(not busy)

    @Slot()
    def _on_accept_button_clicked(self) -> None:
        if self._can_review:
            self.decided.emit(True, self.comment_edit.text())

    @Slot()
    def _on_reject_button_clicked(self) -> None:
        if self._can_review:
            self.decided.emit(False, self.comment_edit.text())
