"""Patient use cases: create, read, edit, soft-delete, restore, search. Every call is checked
against the permission table and audited in the same transaction as its effect.

`PatientService` is the one object callers hold; each concept lives in its own module:
registering and editing (`registration`), deleting and restoring (`deletion`), finding
(`lookup`), merging a duplicate chart into another (`merge`). The names other packages
import from here stay here.
"""

from __future__ import annotations

from clinic_app.patients.deletion import PatientDeletion
from clinic_app.patients.lookup import MAX_OFFSET, MAX_PAGE, PatientLookup, PatientSort
from clinic_app.patients.merge import PatientMerge
from clinic_app.patients.patient_rows import RECORD_TYPE, summary_of
from clinic_app.patients.registration import PatientRegistration

__all__ = ["MAX_OFFSET", "MAX_PAGE", "RECORD_TYPE", "PatientService", "PatientSort", "summary_of"]


class PatientService(PatientRegistration, PatientDeletion, PatientLookup, PatientMerge):
    """Registration, deletion and lookup of patients, over one store, audit log and authorizer
    (the constructor is `PatientServiceBase`'s)."""
