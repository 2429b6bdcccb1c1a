"""Small constructors for the widgets every form repeats (so each form reads as its layout)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar


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
