"""Saves the printable day list as a PDF: the rows come from the database lane, the PDF is
drawn on the GUI thread (QTextDocument and QPrinter are GUI objects; a day is a few pages)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from clinic_app.scheduling.calendar_models import DayListRow
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.scheduling.day_list_document import write_day_list_pdf
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

log = logging.getLogger(__name__)


class DayListController(QObject):
    saved = Signal(object, int)  # the PDF's path, the number of appointments
    status_reported = Signal(str)

    def __init__(
        self,
        parent_widget: QWidget,
        context: PageContext,
        now: Callable[[], datetime],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._widget = parent_widget
        self._context = context
        self._now = now

    def ask_and_save(self, day: date, doctor_id: str | None, doctors: set[str] | None) -> None:
        """Asks where to save (a non-blocking dialog), then saves."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(
            self._widget,
            "Save the day list",
            str(Path(folder) / f"day-list-{day.isoformat()}.pdf"),
            "PDF (*.pdf)",
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.save(day, Path(name), doctor_id, doctors))
        dialog.open()

    def save(
        self, day: date, path: Path, doctor_id: str | None = None, doctors: set[str] | None = None
    ) -> None:
        """`doctor_id`: one doctor's list; `doctors`: only these doctors' names (a speciality)."""
        calendar = self._context.services.scheduling.calendar
        user = self._context.user

        def fetch(_ctx: object) -> list[DayListRow]:
            rows = calendar.day_list(user, day, doctor_id)
            return [r for r in rows if doctors is None or r.doctor_name in doctors]

        self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="day list",
            owner=self,
            on_success=lambda rows: self._write(rows, day, path),
            on_failure=lambda error: show_error(self._widget, error),
        )

    def _write(self, rows: list[DayListRow], day: date, path: Path) -> None:
        try:
            write_day_list_pdf(rows, day, path, self._now())
        except OSError as error:
            show_error(self._widget, error)
            return
        log.info("day list saved: appointments=%d", len(rows))
        self.status_reported.emit(f"Day list saved: {path.name} ({len(rows)} appointments)")
        self.saved.emit(path, len(rows))
