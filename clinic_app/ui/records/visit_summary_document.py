"""A visit on paper: the clinic's name, the patient header and the visit's content, as HTML
laid out by QTextDocument, printed (QPrintDialog) or written to a PDF (QPdfWriter).

All text is escaped: it is what people typed, never markup.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from clinic_app.records.chart_models import PatientHeader
from clinic_app.records.models import Visit, VisitStatus
from clinic_app.records.signing import VISIT_TEXT_FIELDS
from clinic_app.settings import Settings
from clinic_app.ui.records.addendum_notes import escape
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.records.visit_form_view import FIELD_LABELS

CLINIC_FILE = "clinic.json"
DEFAULT_CLINIC_NAME = "Clinic"


def clinic_name(settings: Settings) -> str:
    """The name printed on documents: `clinic.json` ({"name": …}) in the data folder."""
    try:
        raw = json.loads((settings.data_dir / CLINIC_FILE).read_text(encoding="utf-8"))
        name = " ".join(str(raw.get("name", "")).split())
    except (OSError, ValueError, AttributeError):
        name = ""
    return name[:120] or DEFAULT_CLINIC_NAME


def _vitals_rows(visit: Visit) -> str:
    rows = []
    for v in sorted(visit.vitals, key=lambda r: r.measured_at):
        parts = []
        if v.systolic_mmhg is not None:
            parts.append(f"BP {v.systolic_mmhg}/{v.diastolic_mmhg} mmHg")
        for label, value, unit in (
            ("Pulse", v.pulse_bpm, "/min"),
            ("Temp", v.temperature_c, " °C"),
            ("RR", v.respiratory_rate, "/min"),
            ("SpO2", v.spo2_percent, " %"),
            ("Weight", v.weight_kg, " kg"),
            ("Height", v.height_cm, " cm"),
            ("BMI", v.bmi, ""),
        ):
            if value is not None:
                parts.append(f"{label} {value:g}{unit}")
        rows.append(f"<tr><td>{local_time(v.measured_at)}</td><td>{' · '.join(parts)}</td></tr>")
    return "".join(rows)


def visit_summary_html(
    clinic: str, header: PatientHeader, visit: Visit, people: UserDirectory
) -> str:
    summary = visit.summary
    status = "Signed" if visit.status is VisitStatus.SIGNED else "Open (not signed)"
    if visit.signed_at:
        status += f" by {escape(people.name(visit.signed_by_id))} on {local_time(visit.signed_at)}"
    allergies = escape(header.allergies or "No known allergies")
    parts = [
        "<html><body style='font-family:sans-serif; font-size:10pt; color:#1d2733'>",
        f"<h2 style='color:#0f4c63; margin-bottom:0'>{escape(clinic)}</h2>",
        "<p style='color:#5b6b79; margin-top:2px'>Visit summary</p>",
        "<table cellpadding='3' style='border:1px solid #d5dce3' width='100%'>",
        f"<tr><td><b>{escape(header.display_name)}</b><br>{escape(header.sex.capitalize())}, "
        f"{header.age_years} years, born {header.birth_date.isoformat()}"
        + (f", record no. {escape(header.mrn)}" if header.mrn else "")
        + f"</td><td style='color:#8c1d13'><b>Allergies:</b> {allergies}</td></tr></table>",
        f"<p><b>Visit:</b> {local_time(summary.started_at)} · "
        f"<b>Clinician:</b> {escape(people.name(summary.clinician_id))} · "
        f"<b>Status:</b> {status}</p>",
    ]
    for name in VISIT_TEXT_FIELDS:
        value = summary.reason if name == "reason" else getattr(visit, name)
        addenda = visit.addenda_for(name)
        if not value and not addenda:
            continue
        parts.append(f"<h4 style='margin-bottom:2px'>{FIELD_LABELS[name]}</h4>")
        parts.append(f"<p style='margin-top:0'>{escape(value or '')}</p>")
        parts += [_addendum(a.text, people.name(a.author_id), a.created_at) for a in addenda]
    if visit.vitals:
        parts.append("<h4 style='margin-bottom:2px'>Vitals</h4><table cellpadding='2'>")
        parts.append(_vitals_rows(visit) + "</table>")
    for title, entries in (("Diagnoses", visit.diagnoses), ("Procedures", visit.procedures)):
        if entries:
            parts.append(f"<h4 style='margin-bottom:2px'>{title}</h4><ul style='margin-top:0'>")
            for entry in entries:
                primary = " (primary)" if entry.is_primary else ""
                status_note = "" if entry.clinical_status.value == "active" else " — resolved"
                parts.append(
                    f"<li><b>{escape(entry.code)}</b> {escape(entry.description)}{primary}"
                    f"{status_note} <small>({escape(entry.system)} "
                    f"{escape(entry.code_set_version)})</small></li>"
                )
            parts.append("</ul>")
    whole = [a for a in visit.addenda if a.field is None]
    if whole:
        parts.append("<h4 style='margin-bottom:2px'>Addenda</h4>")
        parts += [_addendum(a.text, people.name(a.author_id), a.created_at) for a in whole]
    parts.append("</body></html>")
    return "".join(parts)


def _addendum(text: str, author: str, when: datetime) -> str:
    return (
        "<p style='background:#fff8e1; margin-left:12px'><b>Addendum</b> · "
        f"{escape(author)} · {local_time(when)}<br>{escape(text)}</p>"
    )


def summary_document(html: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html)
    return document


def write_pdf(html: str, path: Path, title: str = "Visit summary") -> Path:
    """Writes an A4 PDF (on the GUI thread: QTextDocument lays out with the GUI's fonts)."""
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("clinic_app")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    summary_document(html).print_(writer)
    return path
