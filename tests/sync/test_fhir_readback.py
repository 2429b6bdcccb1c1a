"""What a workstation sends is read back from the server by standard FHIR client libraries
(fhirclient's R4 models and fhirpy), with the values the clinic wrote."""

from __future__ import annotations

from fhirclient import client as smart_client
from fhirclient.models.appointment import Appointment
from fhirclient.models.condition import Condition
from fhirclient.models.documentreference import DocumentReference
from fhirclient.models.encounter import Encounter
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.models.procedure import Procedure
from fhirclient.models.schedule import Schedule
from fhirclient.models.slot import Slot
from fhirpy import SyncFHIRClient
from sqlalchemy import select

from tests.sync.clinic_data import seed_clinic
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import REGISTRY

MODELS = {
    "Patient": Patient,
    "Encounter": Encounter,
    "Observation": Observation,
    "Condition": Condition,
    "Procedure": Procedure,
    "DocumentReference": DocumentReference,
    "Schedule": Schedule,
    "Slot": Slot,
    "Appointment": Appointment,
}


def test_standard_fhir_clients_read_what_a_workstation_sent(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    station = workstation("ws-a", sync_server)
    seeded = seed_clinic(station.services, station.users)
    station.sync_now()
    token = sync_server.add_device("reader")
    smart = smart_client.FHIRClient(
        settings={"app_id": "sync-tests", "api_base": f"{sync_server.url}/"}
    )
    smart.server.session.headers["Authorization"] = f"Bearer {token}"
    read = 0
    with station.db.unit_of_work(write=False) as uow:
        for mapping in REGISTRY.mappings:
            for row in uow.session.execute(select(mapping.table)).mappings():
                resource_type = mapping.resource_type(row)
                model = MODELS[resource_type].read(row["id"], smart.server)
                assert model.id == row["id"]
                assert model.meta.versionId == row["version_id"]
                read += 1
    assert read >= 15  # every synced row of the seeded clinic
    patient = Patient.read(seeded.patient_id, smart.server)
    assert patient.name[0].family == "Durand-Lefèvre"
    assert patient.birthDate.isostring == "1984-03-09"
    fhirpy = SyncFHIRClient(sync_server.url, authorization=f"Bearer {token}")
    encounter = fhirpy.reference("Encounter", seeded.signed_visit_id).to_resource()
    assert encounter["status"] == "finished"
    assert encounter["subject"]["reference"] == f"Patient/{seeded.other_patient_id}"
    appointment = fhirpy.reference("Appointment", seeded.appointment_id).to_resource()
    assert appointment["status"] == "booked"
