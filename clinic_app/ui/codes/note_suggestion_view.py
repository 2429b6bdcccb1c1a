""" "Suggest from note": codes proposed for the visit's words, each with the words that support
it highlighted in the note; the clinician accepts them one by one (nothing is added alone).

Highlights are extra selections over a read-only copy of the note: every piece of evidence in
a soft colour, the selected suggestion's in a strong one.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_app.codes.models import CodeSuggestion, Evidence
from clinic_app.ui.codes.code_suggestion_table_model import (
    ACCEPTED_ROLE,
    SUGGESTION_ROLE,
    CodeSuggestionTableModel,
    SuggestionColumn,
)
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.widgets.widget_factories import message_label, show_message

SOFT = QColor("#fff1b8")
STRONG = QColor("#ffc53d")


class NoteSuggestionView(QWidget):
    suggest_requested = Signal()
    suggestion_accepted = Signal(object)  # CodeSuggestion

    def __init__(
        self,
        model: CodeSuggestionTableModel,
        *,
        can_accept: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteSuggestionView")
        self._model = model
        self._can_accept = can_accept
        self._evidence: list[Evidence] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        hint = QLabel(
            "Codes suggested from the visit's text. Nothing is added until you accept it."
        )
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        top.addWidget(hint, 1)
        self.suggest_button = QPushButton(icon("suggest", ON_ACCENT_COLOUR), "Suggest codes")
        self.suggest_button.setObjectName("primaryButton")
        self.suggest_button.setToolTip("Read the note and suggest codes (Ctrl+Shift+S)")
        self.suggest_button.setShortcut("Ctrl+Shift+S")
        top.addWidget(self.suggest_button)
        layout.addLayout(top)
        self.message = message_label("formMessage")
        layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.note_view = QTextEdit()
        self.note_view.setObjectName("suggestionNote")
        self.note_view.setReadOnly(True)
        self.note_view.setPlaceholderText("The note's words appear here with the evidence marked.")
        splitter.addWidget(self.note_view)
        self.table = list_table(
            model,
            "suggestionTable",
            stretch=SuggestionColumn.DESCRIPTION,
            widths={
                SuggestionColumn.CODE: 74,
                SuggestionColumn.EVIDENCE: 116,
                SuggestionColumn.CONTEXT: 92,
                SuggestionColumn.SCORE: 52,
            },
            alternating=False,
        )
        self.table.setToolTip("Enter accepts the selected code into the diagnoses.")
        splitter.addWidget(self.table)
        splitter.setSizes([150, 220])
        layout.addWidget(splitter, 1)
        self.accept_button = QPushButton(icon("add"), "Accept into diagnoses")
        self.accept_button.setToolTip("Add the selected code to the visit's diagnoses (Enter)")
        self.accept_button.setVisible(can_accept)
        self.accept_button.setEnabled(False)
        layout.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignRight)
        self.suggest_button.clicked.connect(self.suggest_requested)
        self.accept_button.clicked.connect(self._on_accept_button_clicked)
        self.table.activated.connect(self._on_accept_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        model.dataChanged.connect(self._update_accept_button)

    # --- shown by the controller ---------------------------------------------------------

    def show_note(self, text: str, suggestions: list[CodeSuggestion]) -> None:
        self.note_view.setPlainText(text)
        # One mark per span, however many suggestions rest on the same words.
        self._evidence = list(
            {(e.start, e.end): e for s in suggestions for e in s.evidence}.values()
        )
        self._highlight(None)
        if suggestions:
            self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_accept_button()

    def set_busy(self, busy: bool) -> None:
        self.suggest_button.setEnabled(not busy)
        self.suggest_button.setText("Reading the note…" if busy else "Suggest codes")

    def show_notice(self, text: str) -> None:
        show_message(self.message, text)

    def notice_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def selected(self) -> CodeSuggestion | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(SUGGESTION_ROLE) if rows else None

    def highlighted_spans(self) -> list[tuple[int, int, bool]]:
        """(start, end, strong) of each highlight now on the note (for tests)."""
        return [
            (
                s.cursor.selectionStart(),
                s.cursor.selectionEnd(),
                s.format.background().color() == STRONG,
            )
            for s in self.note_view.extraSelections()
        ]

    # --- input ---------------------------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_args: object) -> None:
        self._highlight(self.selected())
        self._update_accept_button()

    @Slot()
    def _update_accept_button(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        accepted = bool(rows and rows[0].data(ACCEPTED_ROLE))
        self.accept_button.setEnabled(bool(rows) and not accepted)

    @Slot()
    def _on_accept_button_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self._can_accept or rows[0].data(ACCEPTED_ROLE):
            return
        self.suggestion_accepted.emit(rows[0].data(SUGGESTION_ROLE))

    def _highlight(self, chosen: CodeSuggestion | None) -> None:
        strong = {(e.start, e.end) for e in chosen.evidence} if chosen else set()
        length = len(self.note_view.toPlainText())
        selections = []
        for evidence in self._evidence:
            if not 0 <= evidence.start < evidence.end <= length:
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.note_view.document())
            cursor.setPosition(evidence.start)
            cursor.setPosition(evidence.end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor  # type: ignore[attr-defined]
            char_format = QTextCharFormat()
            is_strong = (evidence.start, evidence.end) in strong
            char_format.setBackground(STRONG if is_strong else SOFT)
            if is_strong:
                char_format.setFontWeight(700)
            selection.format = char_format  # type: ignore[attr-defined]
            selections.append(selection)
        self.note_view.setExtraSelections(selections)
        if chosen and chosen.evidence:
            cursor = QTextCursor(self.note_view.document())
            cursor.setPosition(min(chosen.evidence[0].start, length))
            self.note_view.setTextCursor(cursor)
            self.note_view.ensureCursorVisible()
