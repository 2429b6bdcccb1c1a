"""The patient header on the chart and on every visit: who this is, and their allergies.

Allergies are always in view: a red badge when any are recorded, "No known allergies"
otherwise. The text is plain (never rich text): it is what a person typed.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from clinic_app.records.chart_models import PatientHeader
from clinic_app.ui.icons import icon

_STYLE = """
QFrame#patientHeader { background: #ffffff; border: 1px solid #d5dce3; border-radius: 8px; }
QLabel#patientName { font-size: 14pt; font-weight: 600; color: #0f4c63; }
QLabel#patientFacts { color: #5b6b79; }
QFrame#allergyBadge[present="true"] {
    background: #fdecea; border: 1px solid #d9534f; border-radius: 6px;
}
QFrame#allergyBadge[present="false"] {
    background: #eef5f0; border: 1px solid #b9d8c2; border-radius: 6px;
}
QLabel#allergyText[present="true"] { color: #8c1d13; font-weight: 600; }
QLabel#allergyText[present="false"] { color: #1e6b3a; }
"""
NO_KNOWN_ALLERGIES = "No known allergies"
ALLERGY_RED = "#b42318"


class PatientHeaderView(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientHeader")
        self.setStyleSheet(_STYLE)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 10, 8)
        row.setSpacing(14)
        names = QVBoxLayout()
        names.setSpacing(2)
        self.name_label = QLabel()
        self.name_label.setObjectName("patientName")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.facts_label = QLabel()
        self.facts_label.setObjectName("patientFacts")
        self.facts_label.setTextFormat(Qt.TextFormat.PlainText)
        names.addWidget(self.name_label)
        names.addWidget(self.facts_label)
        row.addLayout(names, 2)
        self.allergy_badge = QFrame()
        self.allergy_badge.setObjectName("allergyBadge")
        badge_row = QHBoxLayout(self.allergy_badge)
        badge_row.setContentsMargins(10, 6, 10, 6)
        self.allergy_icon = QLabel()
        self.allergy_text = QLabel()
        self.allergy_text.setObjectName("allergyText")
        self.allergy_text.setTextFormat(Qt.TextFormat.PlainText)
        self.allergy_text.setWordWrap(True)
        self.allergy_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        badge_row.addWidget(self.allergy_icon, 0, Qt.AlignmentFlag.AlignTop)
        badge_row.addWidget(self.allergy_text, 1)
        row.addWidget(self.allergy_badge, 3)
        self.extra_label = QLabel()
        self.extra_label.setObjectName("patientFacts")
        self.extra_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.extra_label, 0, Qt.AlignmentFlag.AlignRight)
        self.show_header(None)

    def show_header(self, header: PatientHeader | None, extra: str = "") -> None:
        if header is None:
            self.name_label.setText("")
            self.facts_label.setText("")
            self._set_allergies(None)
            self.extra_label.setText("")
            return
        self.name_label.setText(header.display_name)
        facts = [
            header.sex.capitalize(),
            f"{header.age_years} years",
            f"born {header.birth_date.isoformat()}",
        ]
        if header.mrn:
            facts.append(f"record no. {header.mrn}")
        self.facts_label.setText(" · ".join(facts))
        self._set_allergies(header.allergies)
        self.extra_label.setText(extra)

    def _set_allergies(self, allergies: str | None) -> None:
        text = " ".join((allergies or "").split())
        present = bool(text)
        for widget in (self.allergy_badge, self.allergy_text):
            widget.setProperty("present", present)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        colour = ALLERGY_RED if present else "#1e6b3a"
        name = "allergy" if present else "verify"
        self.allergy_icon.setPixmap(icon(name, colour).pixmap(QSize(20, 20)))
        self.allergy_text.setText(f"Allergies: {text}" if present else NO_KNOWN_ALLERGIES)
        self.allergy_badge.setToolTip(
            "Allergies recorded on the patient" if present else "No allergies are recorded."
        )

    @property
    def allergies_shown(self) -> str:
        return self.allergy_text.text()

    @property
    def allergy_alert(self) -> bool:
        return bool(self.allergy_badge.property("present"))

    def sizeHint(self) -> QSize:
        return QSize(600, 64)
