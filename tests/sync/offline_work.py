"""Random offline work on several workstations, through the real services, with a record of
every creation and every field edit, so a test can check afterwards that nothing was lost,
nothing was duplicated, and every edit either survived or became a visible conflict."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from clinic_app.errors import ClinicError
from clinic_app.patients.models import PatientInput
from clinic_app.records.models import VisitInput, VitalsInput
from clinic_app.security.permissions import Role
from clinic_app.sync.mappings.registry import default_registry

from tests.sync.workstation import Workstation

REGISTRY = default_registry()
PATIENT_FIELDS = ("phone", "email", "address", "other_names")


@dataclass(frozen=True)
class Edit:
    seq: int
    station: str
    table: str
    entity_id: str
    field: str
    value: str


@dataclass
class OfflineWork:
    rng: random.Random
    created: dict[str, set[str]] = field(default_factory=dict)  # table → ids
    edits: list[Edit] = field(default_factory=list)
    counter: int = 0
    # Visits are worked on where they were opened: a visit signed on one workstation and
    # changed on another can't converge (a signed visit is final everywhere; see the report).
    owned: dict[str, set[str]] = field(default_factory=dict)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _made(self, table: str, entity_id: str) -> None:
        self.created.setdefault(table, set()).add(entity_id)

    def act(self, station: Workstation, steps: int) -> None:
        for _ in range(steps):
            action = self.rng.choice(
                (
                    self.new_patient,
                    self.edit_patient,
                    self.edit_patient,
                    self.new_visit,
                    self.edit_visit,
                    self.vitals,
                    self.sign_and_annotate,
                )
            )
            try:
                action(station)
            except ClinicError:
                # A record changed by a pull meanwhile, a signed visit: the service said no,
                # nothing was written. Offline work goes on.
                continue

    # --- actions -----------------------------------------------------------------------

    def new_patient(self, station: Workstation) -> None:
        n = self._next()
        birth = date(1950, 1, 1) + timedelta(days=self.rng.randrange(20000))
        made = station.services.patients.create(
            station.users[Role.FRONT_DESK],
            PatientInput(
                given_name=f"Given{n}",
                family_name=f"{station.name}-Family{n}",
                sex=self.rng.choice(("female", "male")),
                birth_date=birth,
            ),
        ).patient
        self._made("patients", made.id)

    def _some(
        self, station: Workstation, table: str, *, own: bool = False, **where: object
    ) -> str | None:
        mine = self.owned.get(station.name, set())
        ids = sorted(
            entity_id
            for entity_id, (values, deleted) in station.content()[table].items()
            if not deleted
            and (not own or entity_id in mine)
            and all(
                values[REGISTRY.for_table(table).fields.index(k)] == v  # type: ignore[union-attr]
                for k, v in where.items()
            )
        )
        return self.rng.choice(ids) if ids else None

    def edit_patient(self, station: Workstation) -> None:
        patient_id = self._some(station, "patients")
        if patient_id is None:
            return
        desk = station.users[Role.FRONT_DESK]
        detail = station.services.patients.get(desk, patient_id)
        name = self.rng.choice(PATIENT_FIELDS)
        n = self._next()
        value = {
            "phone": f"+1 555 {n:07d}",
            "email": f"e{n}@example.org",
            "address": f"{n} Main Street",
            "other_names": f"Alias{n}",
        }[name]
        s = detail.summary
        data = PatientInput(
            given_name=s.given_name,
            family_name=s.family_name,
            sex=s.sex.value,
            birth_date=s.birth_date,
            phone=s.phone or "",
            email=detail.email or "",
            address=detail.address or "",
            other_names=detail.other_names or "",
            mrn=s.mrn or "",
            national_id=s.national_id or "",
        )
        data = PatientInput(**{**data.__dict__, name: value})
        station.services.patients.update(desk, patient_id, data, detail.version)
        self.edits.append(Edit(n, station.name, "patients", patient_id, name, value))

    def new_visit(self, station: Workstation) -> None:
        patient_id = self._some(station, "patients")
        if patient_id is None:
            return
        n = self._next()
        visit = station.services.records.visits.open_visit(
            station.users[Role.DOCTOR], patient_id, data=VisitInput(reason=f"Reason {n}")
        )
        self._made("visits", visit.id)
        self.owned.setdefault(station.name, set()).add(visit.id)

    def edit_visit(self, station: Workstation) -> None:
        visit_id = self._some(station, "visits", own=True, status="open")
        if visit_id is None:
            return
        doctor = station.users[Role.DOCTOR]
        visit = station.services.records.visits.get_visit(doctor, visit_id)
        n = self._next()
        value = f"Examination {n}"
        station.services.records.visits.update_visit(
            doctor, visit_id, VisitInput(examination=value), visit.version
        )
        self.edits.append(Edit(n, station.name, "visits", visit_id, "examination", value))

    def vitals(self, station: Workstation) -> None:
        visit_id = self._some(station, "visits", own=True, status="open")
        if visit_id is None:
            return
        made = station.services.records.visits.record_vitals(
            station.users[Role.NURSE],
            visit_id,
            VitalsInput(pulse=self.rng.randrange(50, 120), spo2=self.rng.randrange(90, 100)),
        )
        self._made("vital_signs", made.id)

    def sign_and_annotate(self, station: Workstation) -> None:
        doctor = station.users[Role.DOCTOR]
        visit_id = self._some(station, "visits", own=True, status="open")
        if visit_id is not None and self.rng.random() < 0.5:
            visit = station.services.records.visits.get_visit(doctor, visit_id)
            station.services.records.visits.sign_visit(doctor, visit_id, visit.version)
            return
        signed = self._some(station, "visits", status="signed")
        if signed is None:
            return
        n = self._next()
        addendum = station.services.records.addenda.add_addendum(
            doctor, "visit", signed, f"Addendum {n}"
        )
        self._made("addenda", addendum.id)
        note = station.services.records.annotations.annotate(doctor, "visit", signed, f"Note {n}")
        self._made("annotations", note.id)
