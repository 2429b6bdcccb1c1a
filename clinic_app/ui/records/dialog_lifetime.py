"""Whether a dialog that deletes itself on close is still there to talk to."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QDialog


def open_dialog(dialog: QDialog | None) -> bool:
    """True when the dialog exists and is on screen (not closed, not deleted)."""
    return dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible()
