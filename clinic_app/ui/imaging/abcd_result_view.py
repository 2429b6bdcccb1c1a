"""An ABCD rule result: the A, B, C (and D) scores, the Total Dermoscopy Score or its range,
the diameter in mm, and the switch for the outline drawn on the photo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QVBoxLayout, QWidget

_CATEGORY_COLOURS = {
    "benign": "#1e6b34",
    "suspicious": "#7a4f00",
    "highly suspicious": "#b42318",
    "undetermined": "#3d4f5f",
}


def _value() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AbcdResultView(QWidget):
    outline_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("abcdResultView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.values: dict[str, QLabel] = {}
        for key, caption in (
            ("asymmetry", "A · asymmetry"),
            ("border", "B · border"),
            ("colours", "C · colours"),
            ("structures", "D · structures"),
            ("tds", "Total score (TDS)"),
            ("category", "Category"),
            ("diameter", "Diameter"),
        ):
            label = _value()
            label.setObjectName(f"abcd_{key}")
            self.values[key] = label
            caption_label = QLabel(caption)
            caption_label.setObjectName("fieldHint")
            form.addRow(caption_label, label)
        layout.addLayout(form)
        self.outline_check = QCheckBox("Show the lesion outline on the photo")
        self.outline_check.setObjectName("outlineCheck")
        self.outline_check.setChecked(True)
        self.outline_check.toggled.connect(self.outline_toggled)
        layout.addWidget(self.outline_check)

    def show_measurements(self, m: dict[str, Any]) -> None:
        present = ", ".join(m.get("colours_present", ())) or "—"
        structures = m.get("differential_structures")
        low, high = m.get("tds_range", (0.0, 0.0))
        tds = m.get("tds")
        diameter_mm = m.get("diameter_mm")
        texts = {
            "asymmetry": f"{m['asymmetry']} / 2",
            "border": f"{m['border']} / 8 abrupt sectors",
            "colours": f"{m['colours']} / 6 ({present})",
            "structures": f"{structures} / 5"
            if structures
            else "not assessed (enter D, run again)",
            "tds": f"{tds:.2f}" if tds is not None else f"{low:.2f} – {high:.2f} (D = 1…5)",
            "category": str(m.get("category", "")),
            "diameter": (
                f"{diameter_mm:.1f} mm"
                if diameter_mm is not None
                else f"{m.get('diameter_px', 0):.0f} px (calibrate the photo for mm)"
            ),
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        colour = _CATEGORY_COLOURS.get(str(m.get("category")), "#3d4f5f")
        style = f"color: {colour}; font-weight: 600;"
        if self.values["category"].styleSheet() != style:
            self.values["category"].setStyleSheet(style)

    def value_text(self, key: str) -> str:
        return self.values[key].text()
