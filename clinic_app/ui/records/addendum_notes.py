"""Addenda shown in place: a tinted note under the field each one corrects."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from clinic_app.records.models import Addendum
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory

# Set once on the screen that holds the notes (one style sheet, not one per note).
ADDENDUM_STYLE = (
    "QLabel#addendumNote { background: #fff8e1; border: 1px solid #f0d49a; border-left: 4px solid "
    "#d4a017; border-radius: 4px; padding: 5px 8px; color: #3d2f00; }"
)


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
    )


def addenda_html(addenda: Sequence[Addendum], people: UserDirectory) -> str:
    parts = []
    for addendum in sorted(addenda, key=lambda a: a.created_at):
        who = escape(people.name(addendum.author_id))
        when = local_time(addendum.created_at)
        parts.append(f"<b>Addendum</b> · {who} · {when}<br>{escape(addendum.text)}")
    return "<hr>".join(parts)


class AddendumNote(QLabel):
    """Hidden until the field has addenda."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addendumNote")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_addenda(self, addenda: Sequence[Addendum], people: UserDirectory) -> None:
        self.setText(addenda_html(addenda, people))
        self.setVisible(bool(addenda))
