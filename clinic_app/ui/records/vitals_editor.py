"""The vitals part of the visit form: each reading with its unit, BMI computed as you type,
each message beside its field, and the readings already recorded on the visit.

Units: the small button inside a field switches it (°C/°F, kg/lb, cm/in), or type the unit
after the number ("101.3 F", "154 lb"). Values go to the core as typed; it checks the ranges.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from clinic_app.records.models import Vitals, VitalsInput
from clinic_app.records.vitals import CM_PER_IN, LB_PER_KG, compute_bmi
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.widgets.validated_form import ValidatedForm
from clinic_app.ui.widgets.widget_factories import message_label, show_message

_VALUE_WITH_UNIT = re.compile(r"^\s*([+-]?[0-9]*[.,]?[0-9]+)\s*°?\s*([A-Za-z]+)\s*$")


@dataclass(frozen=True)
class VitalField:
    name: str
    label: str
    units: tuple[tuple[str, str], ...]  # (shown, sent to the core)


FIELDS = (
    VitalField("temperature", "Temperature", (("°C", "C"), ("°F", "F"))),
    VitalField("pulse", "Pulse", (("beats/min", ""),)),
    VitalField("systolic", "BP systolic", (("mmHg", ""),)),
    VitalField("diastolic", "BP diastolic", (("mmHg", ""),)),
    VitalField("respiratory_rate", "Resp. rate", (("breaths/min", ""),)),
    VitalField("spo2", "SpO2", (("%", ""),)),
    VitalField("weight", "Weight", (("kg", "kg"), ("lb", "lb"))),
    VitalField("height", "Height", (("cm", "cm"), ("in", "in"))),
)
_ALIASES = {
    "c": "C",
    "f": "F",
    "kg": "kg",
    "kgs": "kg",
    "lb": "lb",
    "lbs": "lb",
    "cm": "cm",
    "in": "in",
}


class UnitLineEdit(QLineEdit):
    """A number field with its unit inside, on the right; the unit button switches it."""

    def __init__(self, units: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._units = list(units)
        self._index = 0
        self.unit_button = QToolButton(self)
        self.unit_button.setObjectName("unitButton")
        self.unit_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.unit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.unit_button.setAutoRaise(True)
        self.unit_button.setStyleSheet("QToolButton { color: #5b6b79; border: none; }")
        self.unit_button.setEnabled(len(self._units) > 1)
        if len(self._units) > 1:
            self.unit_button.setToolTip("Switch the unit (or type it after the number)")
        self.unit_button.clicked.connect(self._on_unit_button_clicked)
        self.setMaxLength(12)
        self._show_unit()

    @Slot()
    def _on_unit_button_clicked(self) -> None:
        self._index = (self._index + 1) % len(self._units)
        self._show_unit()

    def _show_unit(self) -> None:
        self.unit_button.setText(self._units[self._index][0])
        self.unit_button.adjustSize()
        self.setTextMargins(0, 0, self.unit_button.width() + 4, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        button = self.unit_button
        button.move(self.width() - button.width() - 4, (self.height() - button.height()) // 2)

    def unit(self) -> str:
        return self._units[self._index][1]

    @property
    def has_unit_choice(self) -> bool:
        return len(self._units) > 1

    def set_unit(self, unit: str) -> None:
        for index, (_shown, sent) in enumerate(self._units):
            if sent == unit:
                self._index = index
                self._show_unit()

    def value_and_unit(self) -> tuple[str, str]:
        """("101.3", "F") for "101.3 F" typed in a °C field; the text as it is otherwise."""
        text = self.text().strip()
        match = _VALUE_WITH_UNIT.match(text)
        if match and len(self._units) > 1:
            unit = _ALIASES.get(match.group(2).lower())
            if unit in {sent for _shown, sent in self._units}:
                return match.group(1), unit
        return text, self.unit()


class VitalsEditor(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vitalsEditor")
        self.editors: dict[str, UnitLineEdit] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        columns = QHBoxLayout()
        self._forms = (ValidatedForm(label_width=86), ValidatedForm(label_width=78))
        for index, spec in enumerate(FIELDS):
            editor = UnitLineEdit(spec.units)
            editor.setMinimumWidth(110)
            self.editors[spec.name] = editor
            self._forms[0 if index < 4 else 1].add_field(spec.name, spec.label, editor)
            editor.textEdited.connect(self._on_editor_text_edited)
            editor.unit_button.clicked.connect(self._on_editor_text_edited)
        columns.addWidget(self._forms[0], 1)
        columns.addWidget(self._forms[1], 1)
        layout.addLayout(columns)
        self.bmi_label = QLabel()
        self.bmi_label.setObjectName("fieldHint")
        layout.addWidget(self.bmi_label)
        self.message = message_label()
        layout.addWidget(self.message)
        self.readings_label = QLabel()
        self.readings_label.setObjectName("vitalsReadings")
        self.readings_label.setTextFormat(Qt.TextFormat.RichText)
        self.readings_label.setWordWrap(True)
        layout.addWidget(self.readings_label)
        self._update_bmi()

    @Slot()
    def _on_editor_text_edited(self) -> None:
        self._update_bmi()
        self.edited.emit()

    def _number(self, name: str, factors: Mapping[str, float]) -> float | None:
        value, unit = self.editors[name].value_and_unit()
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return None
        return number * factors.get(unit, 1.0)

    def _update_bmi(self) -> None:
        weight = self._number("weight", {"kg": 1.0, "lb": 1 / LB_PER_KG})
        height = self._number("height", {"cm": 1.0, "in": CM_PER_IN})
        bmi = compute_bmi(weight, height) if weight and height else None
        self.bmi_label.setText(
            f"BMI {bmi:g} kg/m² (computed from weight and height)"
            if bmi is not None
            else "BMI is computed from weight and height."
        )

    # --- reading and writing -------------------------------------------------------------

    def is_empty(self) -> bool:
        return all(not editor.text().strip() for editor in self.editors.values())

    def collect(self) -> VitalsInput | None:
        """What was typed, or None when every field is empty (nothing to record)."""
        if self.is_empty():
            return None
        values = {name: editor.value_and_unit() for name, editor in self.editors.items()}

        def value(name: str) -> str | None:
            return values[name][0] or None

        return VitalsInput(
            temperature=value("temperature"),
            temperature_unit=values["temperature"][1],
            pulse=value("pulse"),
            systolic=value("systolic"),
            diastolic=value("diastolic"),
            respiratory_rate=value("respiratory_rate"),
            spo2=value("spo2"),
            weight=value("weight"),
            weight_unit=values["weight"][1],
            height=value("height"),
            height_unit=values["height"][1],
        )

    def values(self) -> dict[str, str]:
        result = {}
        for name, editor in self.editors.items():
            result[name] = editor.text()
            result[f"{name}_unit"] = editor.unit()
        return result

    def set_values(self, values: Mapping[str, str]) -> None:
        for name, editor in self.editors.items():
            editor.setText(values.get(name, ""))
            editor.set_unit(values.get(f"{name}_unit", editor.unit()))
        self._update_bmi()

    def clear(self) -> None:
        self.set_values({})
        self.show_errors({})

    def set_writable(self, writable: bool) -> None:
        """Read-only (a signed visit, a role that may not record vitals): the input fields
        give way to the list of readings."""
        for form in self._forms:
            form.setVisible(writable)
        self.bmi_label.setVisible(writable)
        for editor in self.editors.values():
            editor.setReadOnly(not writable)
            editor.unit_button.setEnabled(writable and editor.has_unit_choice)

    def show_errors(self, errors: Mapping[str, str]) -> list[str]:
        """Messages keyed `pulse` or `vitals.pulse`; returns the keys it could not place."""
        mapped: dict[str, str] = {}
        general = []
        for key, message in errors.items():
            name = key.removeprefix("vitals.").removesuffix("_unit")
            if name in self.editors:
                mapped[name] = message
            else:
                general.append(message)
        for form in self._forms:
            form.show_errors(mapped, focus=False)
        show_message(self.message, " ".join(general))
        first = next(
            (form.first_invalid_editor() for form in self._forms if form.field_errors()), None
        )
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return []

    def error_text(self, name: str) -> str:
        for form in self._forms:
            if form.has_field(name):
                return form.error_text(name)
        raise KeyError(name)

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def set_readings(self, readings: Sequence[Vitals], people: UserDirectory) -> None:
        if not readings:
            self.readings_label.setText("<i style='color:#5b6b79'>No readings recorded yet.</i>")
            return
        rows = []
        for reading in sorted(readings, key=lambda r: r.measured_at):
            bp = (
                f"{reading.systolic_mmhg}/{reading.diastolic_mmhg}"
                if reading.systolic_mmhg is not None
                else ""
            )
            cells = [
                local_time(reading.measured_at),
                bp,
                _fmt(reading.pulse_bpm),
                _fmt(reading.temperature_c),
                _fmt(reading.respiratory_rate),
                _fmt(reading.spo2_percent),
                _fmt(reading.weight_kg),
                _fmt(reading.height_cm),
                _fmt(reading.bmi),
                _escape(people.name(reading.recorded_by_id)),
            ]
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        head = "".join(
            f"<th align='left'>{h}</th>"
            for h in ("Time", "BP", "Pulse", "°C", "RR", "SpO2", "kg", "cm", "BMI", "By")
        )
        self.readings_label.setText(
            "<table cellspacing='0' cellpadding='4' style='color:#1d2733'>"
            f"<tr style='color:#5b6b79'>{head}</tr>{''.join(rows)}</table>"
        )


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
