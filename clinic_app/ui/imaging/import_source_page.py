"""Import, step 1: choose files, a folder or a DICOMDIR; Next reads them (with progress and
cancel) to find whose images they are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from clinic_app.imaging.summaries import ImportScan
from clinic_app.ui.icons import icon
from clinic_app.ui.imaging.import_state import ImportPageId, ImportState

FILE_FILTER = (
    "Images (*.dcm *.DCM *.dicom *.ima *.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp);;All files (*)"
)


class ImportSourcePage(QWizardPage):
    scan_requested = Signal(list)  # of path strings
    scan_cancel_requested = Signal()

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.setObjectName("importSourcePage")
        self.setTitle("Choose the images")
        self.setSubTitle(
            "DICOM files, a folder or a CD's DICOMDIR, and clinical photos (JPEG, PNG, TIFF)."
        )
        self._state = state
        self._scanned: list[str] | None = None
        self._scanning = False
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.files_button = QPushButton(icon("attachment"), "Add files…")
        self.folder_button = QPushButton(icon("open"), "Add folder…")
        self.dicomdir_button = QPushButton("Add DICOMDIR…")
        self.remove_button = QPushButton(icon("delete"), "Remove")
        for button in (self.files_button, self.folder_button, self.dicomdir_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        self.path_list = QListWidget()
        self.path_list.setObjectName("importPaths")
        layout.addWidget(self.path_list, 1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("scanProgress")
        self.progress_label = QLabel()
        self.progress_label.setObjectName("fieldHint")
        self.cancel_button = QPushButton(icon("cancel"), "Stop reading")
        row = QHBoxLayout()
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addWidget(self.progress_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.files_button.clicked.connect(self._on_files_button_clicked)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.dicomdir_button.clicked.connect(self._on_dicomdir_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.cancel_button.clicked.connect(self.scan_cancel_requested)
        self._show_scanning(False)

    # --- choosing ----------------------------------------------------------------------------

    @property
    def paths(self) -> list[str]:
        return [self.path_list.item(row).text() for row in range(self.path_list.count())]

    def add_paths(self, paths: list[str]) -> None:
        known = set(self.paths)
        for path in paths:
            if path and path not in known:
                self.path_list.addItem(path)
                known.add(path)
        self.completeChanged.emit()

    @Slot()
    def _on_files_button_clicked(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, "Add image files", "", FILE_FILTER)
        self.add_paths(files)

    @Slot()
    def _on_folder_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of images")
        self.add_paths([folder] if folder else [])

    @Slot()
    def _on_dicomdir_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Add a DICOMDIR", "", "DICOMDIR (DICOMDIR dicomdir);;All files (*)"
        )
        self.add_paths([path] if path else [])

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        for item in self.path_list.selectedItems():
            self.path_list.takeItem(self.path_list.row(item))
        self.completeChanged.emit()

    # --- reading ---------------------------------------------------------------------------

    def isComplete(self) -> bool:
        return bool(self.paths) and not self._scanning

    def validatePage(self) -> bool:
        if self._scanned == self.paths and self._state.scan is not None:
            return True
        self._scanning = True
        self.error_label.hide()
        self._show_scanning(True)
        self.completeChanged.emit()
        self.scan_requested.emit([str(Path(p)) for p in self.paths])
        return False

    def nextId(self) -> int:
        if self._state.scan is not None and not self._state.has_importable:
            return ImportPageId.RESULT
        return ImportPageId.MATCH

    def show_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        self.progress_label.setText(message or f"{done} of {total} files read")

    def scan_finished(self, scan: ImportScan) -> None:
        self._state.scan = scan
        self._scanned = self.paths
        self._scanning = False
        self._show_scanning(False)
        self.completeChanged.emit()
        self.wizard().next()

    def scan_stopped(self, error: BaseException | None) -> None:
        self._scanning = False
        self._show_scanning(False)
        self.error_label.setText(str(error) if error is not None else "Reading stopped.")
        self.error_label.show()
        self.completeChanged.emit()

    def _show_scanning(self, scanning: bool) -> None:
        for widget in (self.progress_bar, self.progress_label, self.cancel_button):
            widget.setVisible(scanning)
        if scanning:
            self.progress_bar.setRange(0, 0)
            self.progress_label.setText("Reading the files…")
        for button in (self.files_button, self.folder_button, self.dicomdir_button):
            button.setEnabled(not scanning)
        self.remove_button.setEnabled(not scanning)
        self.path_list.setEnabled(not scanning)
