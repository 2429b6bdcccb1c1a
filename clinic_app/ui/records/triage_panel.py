"""Symptom triage on the visit: urgency in colour and words, the red flags with the words that
triggered them highlighted, recommendations, and codes to accept one by one.

Labelled as decision support with the rules' version; an online answer, when one was asked
for, is shown after the offline result and labelled as such. Never a diagnosis.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clinic_app.triage.models import SuggestedCode, TriageResult, Urgency
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.addendum_notes import escape
from clinic_app.ui.widgets.widget_factories import message_label, show_message

DISCLAIMER = "Decision support — not a diagnosis"
URGENCY_COLOURS: dict[Urgency, tuple[str, str]] = {  # text, background
    Urgency.EMERGENCY: ("#ffffff", "#b42318"),
    Urgency.URGENT: ("#3d2600", "#f5b642"),
    Urgency.ROUTINE: ("#ffffff", "#1e6b3a"),
}
URGENCY_WORDS = {
    Urgency.EMERGENCY: "EMERGENCY",
    Urgency.URGENT: "URGENT",
    Urgency.ROUTINE: "Routine",
}
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
_MARK = "background:#ffe58a; color:#1d2733; font-weight:600; padding:0 2px"


def urgency_badge(urgency: Urgency) -> str:
    ink, fill = URGENCY_COLOURS[urgency]
    return (
        f"<span style='background:{fill}; color:{ink}; font-weight:700; padding:2px 8px'>"
        f"&nbsp;{URGENCY_WORDS[urgency]}&nbsp;</span>"
    )


def result_html(result: TriageResult, heading: str) -> str:
    parts = [f"<p><b>{escape(heading)}</b>&nbsp;&nbsp;{urgency_badge(result.urgency)}</p>"]
    if result.red_flags:
        parts.append("<p style='margin-bottom:2px'><b>Red flags</b></p><ul>")
        for flag in result.red_flags:
            words = ", ".join(
                f"<span style='{_MARK}'>{escape(t.text)}</span> <small>({escape(t.field)})</small>"
                for t in flag.triggers
            )
            parts.append(
                f"<li>{urgency_badge(flag.urgency)} <b>{escape(flag.name)}</b><br>"
                f"Triggered by: {words}</li>"
            )
        parts.append("</ul>")
    else:
        parts.append("<p>No red flags fired.</p>")
    parts.append("<p style='margin-bottom:2px'><b>Recommendations</b></p><ul>")
    parts += [f"<li>{escape(text)}</li>" for text in result.recommendations]
    parts.append("</ul>")
    for note in result.notes:
        parts.append(f"<p style='color:#5b6b79'><i>{escape(note)}</i></p>")
    parts.append(f"<p style='color:#5b6b79'><small>{escape(result.disclaimer)}</small></p>")
    online = result.online
    if online is not None:
        parts.append(
            "<hr><p><b>Online analysis</b> <small>("
            + escape(online.label)
            + ", model "
            + escape(online.model)
            + "; shown beside the offline result, not instead of it)"
            "</small>"
        )
        if online.urgency is not None:
            parts.append(f" {urgency_badge(online.urgency)}")
        parts.append(f"</p><p>{escape(online.text)}</p>")
    return "".join(parts)


class TriagePanel(QWidget):
    quick_requested = Signal(bool)  # ask online too
    save_requested = Signal(bool)
    code_accepted = Signal(object)  # SuggestedCode

    def __init__(
        self, *, online_available: bool, can_accept_codes: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("triagePanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.disclaimer = QLabel(DISCLAIMER)
        self.disclaimer.setObjectName("banner")
        layout.addWidget(self.disclaimer)
        self.version_label = QLabel()
        self.version_label.setObjectName("fieldHint")
        layout.addWidget(self.version_label)
        buttons = QHBoxLayout()
        self.quick_button = QPushButton(icon("triage", ON_ACCENT_COLOUR), "Quick analysis")
        self.quick_button.setObjectName("primaryButton")
        self.quick_button.setToolTip("Triage what the form says now; nothing is saved (Ctrl+T)")
        self.quick_button.setShortcut("Ctrl+T")
        self.quick_button.setMinimumWidth(self.quick_button.sizeHint().width())
        self.save_button = QPushButton(icon("save"), "Analyse and save")
        self.save_button.setToolTip("Triage the saved visit and keep the result on it")
        self.online_check = QCheckBox("Also ask the online service")
        self.online_check.setVisible(online_available)
        buttons.addWidget(self.quick_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.online_check)
        self.message = message_label()
        layout.addWidget(self.message)
        self.result_view = QTextBrowser()
        self.result_view.setObjectName("triageResult")
        self.result_view.setOpenLinks(False)
        self.result_view.setPlaceholderText(
            "Run a quick analysis to see the urgency, red flags and recommendations."
        )
        layout.addWidget(self.result_view, 3)
        codes_title = QLabel("Suggested codes (add the ones you agree with, one by one)")
        codes_title.setObjectName("sectionTitle")
        layout.addWidget(codes_title)
        self.code_list = QListWidget()
        self.code_list.setObjectName("triageCodes")
        self.code_list.setMaximumHeight(120)
        layout.addWidget(self.code_list, 1)
        self.accept_button = QPushButton(icon("add"), "Add to diagnoses")
        self.accept_button.setToolTip("Add the selected code to the visit's diagnoses (Enter)")
        self.accept_button.setVisible(can_accept_codes)
        self.accept_button.setEnabled(False)
        layout.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignRight)
        self._can_accept = can_accept_codes
        self.quick_button.clicked.connect(
            lambda: self.quick_requested.emit(self.online_check.isChecked())
        )
        self.save_button.clicked.connect(
            lambda: self.save_requested.emit(self.online_check.isChecked())
        )
        self.accept_button.clicked.connect(self._on_accept_button_clicked)
        self.code_list.itemActivated.connect(self._on_accept_button_clicked)
        self.code_list.currentRowChanged.connect(self._on_code_list_current_row_changed)

    def set_rules_version(self, version: str) -> None:
        self.version_label.setText(f"Triage rules version {version}")

    def set_can_save(self, can_save: bool) -> None:
        self.save_button.setEnabled(can_save)
        self.save_button.setToolTip(
            "Triage the saved visit and keep the result on it"
            if can_save
            else "Save the visit first"
        )

    def set_busy(self, busy: bool) -> None:
        self.quick_button.setEnabled(not busy)
        self.quick_button.setText("Analysing…" if busy else "Quick analysis")

    def show_result(self, result: TriageResult, heading: str) -> None:
        self.set_busy(False)
        show_message(self.message, "")
        self.set_rules_version(result.rules_version)
        self.result_view.setHtml(result_html(result, heading))
        self.code_list.clear()
        for code in result.suggested_codes:
            item = QListWidgetItem(f"{code.code}  {code.description}")
            item.setData(CODE_ROLE, code)
            item.setToolTip(f"{code.system}; from the {code.source}")
            self.code_list.addItem(item)
        if self.code_list.count():
            self.code_list.setCurrentRow(0)
        self._on_code_list_current_row_changed(self.code_list.currentRow())
        self.urgency = result.urgency

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        show_message(self.message, text)

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def mark_accepted(self, code: str) -> None:
        for row in range(self.code_list.count()):
            item = self.code_list.item(row)
            suggested: SuggestedCode = item.data(CODE_ROLE)
            if suggested.code == code:
                item.setText(f"✓ {suggested.code}  {suggested.description} (added)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        self._on_code_list_current_row_changed(self.code_list.currentRow())

    @Slot()
    def _on_accept_button_clicked(self) -> None:
        item = self.code_list.currentItem()
        if item is not None and self._can_accept and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.code_accepted.emit(item.data(CODE_ROLE))

    @Slot(int)
    def _on_code_list_current_row_changed(self, row: int) -> None:
        item = self.code_list.item(row) if row >= 0 else None
        enabled = item is not None and bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
        self.accept_button.setEnabled(enabled)
