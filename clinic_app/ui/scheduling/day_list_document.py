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
p.meta { color: #5b6b79; margin-top: 0; margin-bottom: 10px; }
table { border-collapse: collapse; }
th { background: #e9eef2; text-align: left; padding: 4px 6px; }
td { padding: 4px 6px; border-bottom: 1px solid #d5dce3; }
td.keep { white-space: nowrap; }
td.doctor { font-size: 11pt; font-weight: 600; color: #0f4c63; padding-top: 12px; }
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
    else:
        # One table, so the columns line up from one doctor to the next.
        parts.append(
            "<table width='100%' cellspacing='0'><tr><th width='12%'>Time</th>"
            "<th width='26%'>Patient</th><th width='11%'>Born</th><th width='16%'>Phone</th>"
            "<th width='11%'>Type</th><th width='20%'>Status</th><th width='4%'>✓</th></tr>"
        )
    for (doctor, room), group in groupby(rows, key=lambda r: (r.doctor_name, r.room)):
        room_text = f" · room {escape(room)}" if room else ""
        parts.append(f"<tr><td colspan='7' class='doctor'>{escape(doctor)}{room_text}</td></tr>")
        for row in group:
            when = "Walk-in" if row.walk_in else time_span(row.local_start, row.local_end)
            parts.append(
                f"<tr><td class='keep'>{when}</td><td>{escape(row.patient_name)}</td>"
                f"<td class='keep'>{row.birth_date.isoformat()}</td>"
                f"<td class='keep'>{escape(row.phone or '')}</td>"
                f"<td class='keep'>{type_label(row.appointment_type)}</td>"
                f"<td class='keep'>{status_label(row.status)}"
                f"{'' if row.confirmed else '<br/><small>provisional</small>'}</td>"
                "<td>☐</td></tr>"
            )
    if rows:
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
    # QTextDocument.print_() keeps a 2 cm margin of its own on a printer's full page.
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    printer.setDocName(f"Day list {day.isoformat()}")
    document.print_(printer)
