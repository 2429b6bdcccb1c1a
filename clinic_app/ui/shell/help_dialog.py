"""F1: the keyboard shortcuts and where things are."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from clinic_app import __version__

_HELP = """
<h3>Keyboard shortcuts</h3>
<table cellspacing="6">
<tr><td><b>Ctrl+F</b></td><td>Find a patient (search as you type)</td></tr>
<tr><td><b>Ctrl+N</b></td><td>New patient</td></tr>
<tr><td><b>Ctrl+S</b></td><td>Save the open form</td></tr>
<tr><td><b>Ctrl+L</b></td><td>Lock the screen now</td></tr>
<tr><td><b>Ctrl+,</b></td><td>This workstation's settings</td></tr>
<tr><td><b>F5</b></td><td>Refresh the list on screen</td></tr>
<tr><td><b>F9</b></td><td>Sync with the clinic's server now</td></tr>
<tr><td><b>Ctrl+Shift+S</b></td><td>Suggest codes from the visit note</td></tr>
<tr><td><b>Alt+Left</b></td><td>Back from a record to the chart</td></tr>
<tr><td><b>F1</b></td><td>This help</td></tr>
</table>
<h3>Good to know</h3>
<ul>
<li>The screen locks itself after a few idle minutes. Unlock with your password; nothing
you were typing is lost.</li>
<li>Everything works without a network connection. Data is encrypted on this computer.</li>
<li>Search by family or given name, date of birth (YYYY-MM-DD), phone or record number.</li>
</ul>
"""


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle("Help")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        text = QLabel(_HELP + f"<p style='color:#5b6b79'>Clinic version {__version__}</p>")
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
