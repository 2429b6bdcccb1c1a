"""The printable day list: every appointment of a day, by doctor then time, as a
QTextDocument, written to PDF through QPrinter (A4, ready to print)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from itertools import groupby
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from clinic_app.scheduling.calendar_models import DayListRow
from clinic_app.ui.scheduling.appointment_labels import status_label, time_span, type_label

_STYLE = """
body { font-family: sans-serif; font-size: 9.5pt; color: #1d2733; }
h1 { font-size: 15pt; color: #0f4c63; margin-bottom: 2px; }
h2 { font-size: 11pt; color: #0f4c63; margin-top: 14px; margin-bottom: 4px; }
p.meta { color: #5b6b79; margin-top: 0; }
table { border-collapse: collapse; }
th { background: #e9eef2; text-align: left; padding: 4px 6px; }
td { padding: 4px 6px; border-bottom: 1px solid #d5dce3; }
"""


def day_list_html(rows: list[DayListRow], day: date, printed_at: datetime) -> str:
    parts = [
        f"<html><head><style>{_STYLE}</style></head><body>",
        f"<h1>Day list · {day:%A} {day.day} {day:%B %Y}</h1>",
        f"<p class='meta'>{len(rows)} appointment{'s' if len(rows) != 1 else ''} · "
        f"printed {printed_at:%Y-%m-%d %H:%M}</p>",
    ]
    if not rows:
        parts.append("<p>No appointments on this day.</p>")
    for (doctor, room), group in groupby(rows, key=lambda r: (r.doctor_name, r.room)):
        room_text = f" · room {escape(room)}" if room else ""
        parts.append(f"<h2>{escape(doctor)}{room_text}</h2>")
        parts.append(
            "<table width='100%' cellspacing='0'><tr><th>Time</th><th>Patient</th>"
            "<th>Born</th><th>Phone</th><th>Type</th><th>Status</th><th>✓</th></tr>"
        )
        for row in group:
            when = "Walk-in" if row.walk_in else time_span(row.local_start, row.local_end)
            parts.append(
                f"<tr><td>{when}</td><td>{escape(row.patient_name)}</td>"
                f"<td>{row.birth_date.isoformat()}</td><td>{escape(row.phone or '')}</td>"
                f"<td>{type_label(row.appointment_type)}</td>"
                f"<td>{status_label(row.status)}"
                f"{'' if row.confirmed else ' (provisional)'}</td><td>☐</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def write_day_list_pdf(rows: list[DayListRow], day: date, path: Path, printed_at: datetime) -> None:
    document = QTextDocument()
    document.setHtml(day_list_html(rows, day, printed_at))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    printer.setDocName(f"Day list {day.isoformat()}")
    document.print_(printer)
