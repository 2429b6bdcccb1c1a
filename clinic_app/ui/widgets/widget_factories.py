"""Small constructors for the widgets every form repeats (so each form reads as its layout)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QWidget


def centred_label(text: str, object_name: str = "") -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    if object_name:
        label.setObjectName(object_name)
    return label


def message_label(object_name: str = "formError") -> QLabel:
    """Hidden until it has something to say."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def shown_text(label: QLabel) -> str:
    return label.text() if not label.isHidden() else ""


def password_edit(object_name: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    if object_name:
        edit.setObjectName(object_name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def busy_bar(height: int = 0) -> QProgressBar:
    """An indeterminate progress bar, hidden until work starts."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    if height:
        bar.setFixedHeight(height)
    bar.hide()
    return bar


def hint_label(text: str = "", *, wrap: bool = True) -> QLabel:
    """The small grey text under a page's title: an introduction, or (unwrapped) a count."""
    label = QLabel(text)
    label.setObjectName("fieldHint")
    label.setWordWrap(wrap)
    return label


def title_bar(title: str, buttons: Sequence[QWidget]) -> QHBoxLayout:
    """A page's title on the left, its buttons on the right."""
    bar = QHBoxLayout()
    caption = QLabel(title)
    caption.setObjectName("pageTitle")
    bar.addWidget(caption)
    bar.addStretch(1)
    for button in buttons:
        bar.addWidget(button)
    return bar


def spread_row(leading: Sequence[QWidget], trailing: Sequence[QWidget] = ()) -> QHBoxLayout:
    """Widgets on the left and on the right of a row, the room left between them."""
    row = QHBoxLayout()
    for widget in leading:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in trailing:
        row.addWidget(widget)
    return row
