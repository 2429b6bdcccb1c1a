"""One visit on screen: the patient header (allergies in view), the form on the left, and on
the right triage, code suggestions, attachments and annotations.

A view: it arranges the parts it is given and reports the buttons; it calls no service.
Keys: Ctrl+S saves, Alt+Left goes back to the chart, Ctrl+P prints.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.records.models import VisitStatus
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.patient_header_view import PatientHeaderView
from clinic_app.ui.records.visit_form_view import VisitFormView
from clinic_app.ui.records.visit_permissions import VisitPermissions
from clinic_app.ui.widgets.widget_factories import message_label, show_message

_STATUS_STYLE = {
    VisitStatus.OPEN: "background:#fff4dc; color:#7a4b00; border:1px solid #f0d49a;",
    VisitStatus.SIGNED: "background:#eef5f0; color:#1e6b3a; border:1px solid #b9d8c2;",
}


class VisitEditorView(QWidget):
    back_requested = Signal()
    save_requested = Signal()
    sign_requested = Signal()
    addendum_requested = Signal()
    print_requested = Signal()
    pdf_requested = Signal()

    def __init__(
        self,
        form: VisitFormView,
        side_panels: list[tuple[str, str, QWidget]],
        permissions: VisitPermissions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("visitEditorView")
        self.form = form
        self._permissions = permissions
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(8)
        layout.addLayout(self._build_top_bar())
        self.header = PatientHeaderView()
        layout.addWidget(self.header)
        self.message = message_label()
        layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(form)
        self.scroll_area.setMinimumWidth(520)
        splitter.addWidget(self.scroll_area)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("visitSideTabs")
        self._tab_titles: dict[str, str] = {}
        for key, title, panel in side_panels:
            panel.setProperty("tabKey", key)
            self.side_tabs.addTab(panel, title)
            self._tab_titles[key] = title
        self.side_tabs.setMinimumWidth(440)
        self.side_tabs.setUsesScrollButtons(False)
        splitter.addWidget(self.side_tabs)
        splitter.setSizes([620, 540])
        layout.addWidget(splitter, 1)
        QShortcut(QKeySequence.StandardKey.Save, self, self._on_save_shortcut)
        QShortcut(QKeySequence("Alt+Left"), self, self.back_requested)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_requested)

    def _build_top_bar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.back_button = QPushButton(icon("back"), "Chart")
        self.back_button.setToolTip("Back to the patient's chart (Alt+Left)")
        self.back_button.clicked.connect(self.back_requested)
        row.addWidget(self.back_button)
        self.title_label = QLabel("New visit")
        self.title_label.setObjectName("pageTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.title_label)
        self.status_label = QLabel()
        self.status_label.setObjectName("visitStatus")
        row.addWidget(self.status_label)
        row.addStretch(1)
        self.print_button = QPushButton(icon("print"), "Print…")
        self.print_button.setToolTip("Print the visit summary (Ctrl+P)")
        self.pdf_button = QPushButton(icon("pdf"), "Save as PDF…")
        self.addendum_button = QPushButton(icon("addendum"), "Add addendum…")
        self.addendum_button.setToolTip("Correct or add to the signed visit")
        self.sign_button = QPushButton(icon("sign"), "Sign…")
        self.sign_button.setObjectName("signButton")
        self.sign_button.setToolTip("Sign the visit: it can't be changed afterwards")
        self.save_button = QPushButton(icon("save", ON_ACCENT_COLOUR), "Save")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setToolTip("Save the visit (Ctrl+S)")
        for button, signal in (
            (self.print_button, self.print_requested),
            (self.pdf_button, self.pdf_requested),
            (self.addendum_button, self.addendum_requested),
            (self.sign_button, self.sign_requested),
            (self.save_button, self.save_requested),
        ):
            button.clicked.connect(signal)
            row.addWidget(button)
        return row

    def _on_save_shortcut(self) -> None:
        if self.save_button.isVisible() and self.save_button.isEnabled():
            self.save_requested.emit()

    # --- shown by the controller ---------------------------------------------------------

    def show_state(self, title: str, status: VisitStatus | None, status_text: str) -> None:
        """`status` None: a new visit, not saved yet."""
        self.title_label.setText(title)
        self.status_label.setText(status_text)
        self.status_label.setVisible(bool(status_text))
        if status is not None:
            self.status_label.setStyleSheet(
                f"QLabel {{ {_STATUS_STYLE[status]} border-radius: 4px; padding: 2px 8px; }}"
            )
        p = self._permissions
        saved = status is not None
        signed = status is VisitStatus.SIGNED
        writable = p.write_intake or p.assess or p.record_vitals
        self.save_button.setVisible(not signed and writable)
        self.sign_button.setVisible(saved and not signed and p.sign)
        self.addendum_button.setVisible(signed and p.write_intake)
        self.print_button.setEnabled(saved)
        self.pdf_button.setEnabled(saved)
        self.set_busy(False)

    def set_busy(self, busy: bool, text: str = "Saving…") -> None:
        self.save_button.setEnabled(not busy)
        self.sign_button.setEnabled(not busy)
        self.save_button.setText(text if busy else "Save")

    def show_message(self, text: str) -> None:
        show_message(self.message, text)

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def set_tab_count(self, key: str, count: int) -> None:
        for index in range(self.side_tabs.count()):
            if self.side_tabs.widget(index).property("tabKey") == key:
                title = self._tab_titles[key]
                self.side_tabs.setTabText(index, f"{title} ({count})" if count else title)

    def show_tab(self, key: str) -> None:
        for index in range(self.side_tabs.count()):
            if self.side_tabs.widget(index).property("tabKey") == key:
                self.side_tabs.setCurrentIndex(index)
