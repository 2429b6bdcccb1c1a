"""Ctrl+, : this workstation's settings, each marked when IT's machine configuration set it.

A view: `SettingsController` reads the settings and saves a change on the database lane and
calls back `show_view`, `set_busy`, `show_saved` and `show_error`. A setting IT locked shows a
lock and "Set by your IT department in <file>" and is disabled; an administrator may change the
idle lock where IT left it open; everyone else reads.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinic_app.maintenance.workstation_settings import (
    IDLE_LOCK,
    SettingEntry,
    WorkstationSettingsView,
)
from clinic_app.packaging.machine_config import IDLE_LOCK_RANGE
from clinic_app.ui.icons import icon
from clinic_app.ui.widgets.widget_factories import busy_bar, message_label, show_message, shown_text

LOCK_ICON_SIZE = 16


class SettingsDialog(QDialog):
    save_requested = Signal(int)  # the idle-lock minutes to save

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(620)
        self._view: WorkstationSettingsView | None = None
        self.editors: dict[str, QWidget] = {}
        self.notes: dict[str, QLabel] = {}
        self.lock_marks: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 14)
        title = QLabel("Settings")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        self.intro = QLabel("Reading the settings of this workstation…")
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.intro)
        self._grid_holder = QWidget()
        self._grid = QGridLayout(self._grid_holder)
        self._grid.setContentsMargins(0, 8, 0, 8)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(1, 1)
        layout.addWidget(self._grid_holder)
        self._progress = busy_bar()
        layout.addWidget(self._progress)
        self._message = message_label("formMessage")
        layout.addWidget(self._message)
        layout.addStretch(1)
        layout.addLayout(self._build_buttons())
        QShortcut(QKeySequence.StandardKey.Save, self, self._on_save_button_clicked)

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.setEnabled(False)
        self.save_button.hide()
        self.save_button.clicked.connect(self._on_save_button_clicked)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        return buttons

    # --- filled by the controller --------------------------------------------------------

    def show_view(self, view: WorkstationSettingsView) -> None:
        self._view = view
        self._clear_grid()
        where = view.machine_config_file
        source = (
            f"Your IT department configures this workstation in <tt>{html.escape(str(where))}</tt>."
            if where
            else "No machine configuration from your IT department on this workstation."
        )
        if not view.may_change:
            rights = "Only an administrator can change them."
        elif view.entry(IDLE_LOCK).editable:
            rights = "As an administrator you can change the idle lock here."
        else:
            rights = "IT locked the settings that could be changed here."
        self.intro.setText(f"{source} {rights}")
        for row, entry in enumerate(view.entries):
            self._add_row(row, entry)
        self.save_button.setVisible(view.may_change and any(e.editable for e in view.entries))
        self._update_save_button()

    def _add_row(self, row: int, entry: SettingEntry) -> None:
        caption = QLabel(entry.label)
        caption.setObjectName("settingLabel")
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor = self._editor_for(entry)
        caption.setBuddy(editor)
        mark = QLabel()
        mark.setObjectName("settingLockMark")
        mark.setFixedSize(QSize(LOCK_ICON_SIZE + 4, LOCK_ICON_SIZE + 4))
        if entry.locked:
            mark.setPixmap(icon("lock").pixmap(QSize(LOCK_ICON_SIZE, LOCK_ICON_SIZE)))
            mark.setToolTip(entry.note)
        note = QLabel(entry.note)
        note.setObjectName("fieldHint")
        note.setWordWrap(True)
        note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._grid.addWidget(caption, row * 2, 0)
        self._grid.addWidget(editor, row * 2, 1)
        self._grid.addWidget(mark, row * 2, 2)
        self._grid.addWidget(note, row * 2 + 1, 1, 1, 2)
        self._grid.setRowMinimumHeight(row * 2 + 1, 24)
        self.editors[entry.name] = editor
        self.notes[entry.name] = note
        self.lock_marks[entry.name] = mark

    def _editor_for(self, entry: SettingEntry) -> QWidget:
        editor: QWidget
        if entry.editable and self._view is not None:
            spin = QSpinBox()
            spin.setRange(*IDLE_LOCK_RANGE)
            spin.setSuffix(" minutes")
            spin.setValue(self._view.idle_lock_minutes)
            spin.valueChanged.connect(self._on_idle_spin_value_changed)
            editor = spin
        else:
            line = QLineEdit(entry.value)
            line.setReadOnly(True)
            line.setCursorPosition(0)
            editor = line
        editor.setObjectName(f"setting_{entry.name}")
        # IT's settings are disabled, so they read as not this person's to change.
        editor.setEnabled(not entry.locked)
        return editor

    def _clear_grid(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.editors.clear()
        self.notes.clear()
        self.lock_marks.clear()

    def set_busy(self, busy: bool, message: str = "") -> None:
        self._progress.setVisible(busy)
        self._grid_holder.setEnabled(not busy)
        show_message(self._message, message)
        self._update_save_button(busy)

    def show_saved(self, view: WorkstationSettingsView) -> None:
        self.show_view(view)
        self.set_busy(False, "Saved. The new idle lock applies from the next sign-in.")

    def show_error(self, message: str) -> None:
        self.set_busy(False, message)

    def message(self) -> str:
        return shown_text(self._message)

    # --- reading the form ----------------------------------------------------------------

    @property
    def idle_lock_spin(self) -> QSpinBox:
        """The idle lock's editor where this person may change it (a read-only line else)."""
        spin = self.editors[IDLE_LOCK]
        assert isinstance(spin, QSpinBox)
        return spin

    def _changed(self) -> bool:
        if self._view is None or not isinstance(self.editors.get(IDLE_LOCK), QSpinBox):
            return False
        return self.idle_lock_spin.value() != self._view.idle_lock_minutes

    def _update_save_button(self, busy: bool = False) -> None:
        editable = self._view is not None and self._view.entry(IDLE_LOCK).editable
        self.save_button.setEnabled(editable and self._changed() and not busy)

    @Slot(int)
    def _on_idle_spin_value_changed(self, _value: int) -> None:
        show_message(self._message, "")
        self._update_save_button()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        if not self.save_button.isEnabled() or self.save_button.isHidden():
            return
        self.save_requested.emit(self.idle_lock_spin.value())
