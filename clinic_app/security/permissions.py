"""Roles, actions and the one table that maps them. Services check it on every call."""

from __future__ import annotations

from enum import StrEnum

from clinic_app.errors import ValidationError


class Role(StrEnum):
    ADMIN = "admin"
    DOCTOR = "doctor"
    NURSE = "nurse"
    FRONT_DESK = "front_desk"

    @classmethod
    def parse(cls, text: str) -> Role:
        normalised = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(normalised)
        except ValueError as exc:
            names = ", ".join(role.value for role in cls)
            raise ValidationError(f"Unknown role. Choose one of: {names}.") from exc


class Action(StrEnum):
    PATIENT_READ = "patient.read"  # demographics
    PATIENT_READ_CLINICAL = "patient.read_clinical"  # allergies, history
    PATIENT_CREATE = "patient.create"
    PATIENT_UPDATE = "patient.update"  # demographics
    PATIENT_UPDATE_CLINICAL = "patient.update_clinical"
    PATIENT_DELETE = "patient.delete"
    PATIENT_RESTORE = "patient.restore"
    PATIENT_MERGE = "patient.merge"  # merge a duplicate chart into the survivor (no undo)
    USER_MANAGE = "user.manage"
    USER_LIST = "user.list"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    BACKUP_CREATE = "backup.create"
    BACKUP_RESTORE = "backup.restore"
    DEMO_SEED = "demo.seed"
    SCHEDULE_MANAGE = "schedule.manage"  # doctor profiles, working hours, leave
    SLOT_MANAGE = "slot.manage"  # generate, add, block and unblock slots
    SCHEDULE_READ = "schedule.read"  # every doctor's calendar
    SCHEDULE_READ_OWN = "schedule.read_own"  # a doctor's own calendar only
    APPOINTMENT_BOOK = "appointment.book"  # book, walk-in, reschedule, cancel
    APPOINTMENT_CHECK_IN = "appointment.check_in"  # arrival and no-show
    VISIT_OPEN = "visit.open"  # open an encounter (no clinical text): check-in may do it
    VISIT_READ = "visit.read"  # clinical text of visits, records, attachments, annotations
    VISIT_WRITE = "visit.write"  # reason, symptoms, history, examination; addenda; attachments
    VISIT_ASSESS = "visit.assess"  # assessment, plan, coded diagnoses and procedures
    VITALS_WRITE = "vitals.write"
    VISIT_SIGN = "visit.sign"
    RECORD_ASSIGN = "record.assign"  # send a visit or record to a doctor for review
    ATTACHMENT_EXPORT = "attachment.export"  # copy an attachment out of the encrypted store
    ANNOTATE = "annotation.add"  # doctors' signed annotations; completing a review
    TRIAGE_RUN = "triage.run"
    IMAGING_IMPORT = "imaging.import"  # DICOM media, folders and clinical photos
    IMAGING_VIEW = "imaging.view"  # studies, images and analysis results
    AI_RUN = "ai.run"  # run an on-device model on an image; ask a doctor to review the result
    AI_REVIEW = "ai.review"  # accept or reject a model's result
    MODELS_MANAGE = "models.manage"  # install and trust model packs
    CODES_READ = "codes.read"  # search code sets, view a code, suggest codes from clinical text
    CODES_MANAGE = "codes.manage"  # import code sets, choose the active version
    SYNC_RUN = "sync.run"  # sync with the clinic's server now; see its status and log
    SYNC_RESOLVE = "sync.resolve"  # resolve sync conflicts and retry quarantined records
    SYNC_CONFIGURE = "sync.configure"  # server address, device token, on/off, interval
    SETTINGS_MANAGE = "settings.manage"  # this workstation's settings IT left unlocked


_FRONT_DESK = {
    Action.PATIENT_READ,
    Action.PATIENT_CREATE,
    Action.PATIENT_UPDATE,
    Action.USER_LIST,
}
_NURSE = _FRONT_DESK | {Action.PATIENT_READ_CLINICAL, Action.PATIENT_UPDATE_CLINICAL}
_DOCTOR = _NURSE | {Action.PATIENT_DELETE, Action.PATIENT_RESTORE, Action.PATIENT_MERGE}
# The administrator runs the installation (accounts, audit, backups); patient demographics only
# so they can support the desk, and no clinical content.
_ADMIN = {
    Action.PATIENT_READ,
    # Duplicates are a data-quality chore IT is often asked to do; the merge refuses to choose
    # between clinical notes for a role that can't read them (a doctor must).
    Action.PATIENT_MERGE,
    Action.USER_MANAGE,
    Action.USER_LIST,
    Action.AUDIT_READ,
    Action.AUDIT_VERIFY,
    Action.BACKUP_CREATE,
    Action.BACKUP_RESTORE,
    Action.DEMO_SEED,
}

# Scheduling: the desk books and keeps the slots, the nurse and the desk check patients in, a
# doctor sees their own calendar, the administrator keeps doctor profiles and working hours.
_SCHEDULING: dict[Role, set[Action]] = {
    Role.ADMIN: {Action.SCHEDULE_MANAGE, Action.SLOT_MANAGE, Action.SCHEDULE_READ},
    Role.DOCTOR: {Action.SCHEDULE_READ_OWN},
    Role.NURSE: {Action.SCHEDULE_READ, Action.APPOINTMENT_CHECK_IN},
    Role.FRONT_DESK: {
        Action.SCHEDULE_READ,
        Action.SLOT_MANAGE,
        Action.APPOINTMENT_BOOK,
        Action.APPOINTMENT_CHECK_IN,
    },
}

# Clinical records: the desk may open an encounter at check-in but never sees clinical text; a
# nurse documents intake, vitals and addenda; only a doctor assesses, codes, signs, annotates
# and exports; the administrator sees no clinical content.
_CLINICAL_INTAKE = {
    Action.VISIT_OPEN,
    Action.VISIT_READ,
    Action.VISIT_WRITE,
    Action.VITALS_WRITE,
    Action.RECORD_ASSIGN,
    Action.TRIAGE_RUN,
}
_RECORDS: dict[Role, set[Action]] = {
    Role.ADMIN: set(),
    Role.DOCTOR: _CLINICAL_INTAKE
    | {Action.VISIT_ASSESS, Action.VISIT_SIGN, Action.ANNOTATE, Action.ATTACHMENT_EXPORT},
    Role.NURSE: set(_CLINICAL_INTAKE),
    Role.FRONT_DESK: {Action.VISIT_OPEN},
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(_ADMIN | _SCHEDULING[Role.ADMIN] | _RECORDS[Role.ADMIN]),
    Role.DOCTOR: frozenset(_DOCTOR | _SCHEDULING[Role.DOCTOR] | _RECORDS[Role.DOCTOR]),
    Role.NURSE: frozenset(_NURSE | _SCHEDULING[Role.NURSE] | _RECORDS[Role.NURSE]),
    Role.FRONT_DESK: frozenset(
        _FRONT_DESK | _SCHEDULING[Role.FRONT_DESK] | _RECORDS[Role.FRONT_DESK]
    ),
}

# Imaging and on-device AI: nurses and doctors import and view images and run models; only a
# doctor accepts or rejects a model's result; the administrator installs model packs but sees no
# images.
_IMAGING: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset({Action.MODELS_MANAGE}),
    Role.DOCTOR: frozenset(
        {Action.IMAGING_IMPORT, Action.IMAGING_VIEW, Action.AI_RUN, Action.AI_REVIEW}
    ),
    Role.NURSE: frozenset({Action.IMAGING_IMPORT, Action.IMAGING_VIEW, Action.AI_RUN}),
    Role.FRONT_DESK: frozenset(),
}
PERMISSIONS = {role: actions | _IMAGING[role] for role, actions in PERMISSIONS.items()}

# Medical codes: the clinical roles search and get suggestions (suggestion reads clinical text);
# the administrator imports code sets and chooses the active version, and sees no clinical text.
_CODES: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset({Action.CODES_MANAGE}),
    Role.DOCTOR: frozenset({Action.CODES_READ}),
    Role.NURSE: frozenset({Action.CODES_READ}),
    Role.FRONT_DESK: frozenset(),
}
PERMISSIONS = {role: actions | _CODES[role] for role, actions in PERMISSIONS.items()}

# Sync: everyone's workstation syncs; the people who own the records resolve their conflicts
# (each conflict is checked again against the record's own permissions); IT configures.
_SYNC: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset({Action.SYNC_RUN, Action.SYNC_CONFIGURE}),
    Role.DOCTOR: frozenset({Action.SYNC_RUN, Action.SYNC_RESOLVE}),
    Role.NURSE: frozenset({Action.SYNC_RUN, Action.SYNC_RESOLVE}),
    Role.FRONT_DESK: frozenset({Action.SYNC_RUN, Action.SYNC_RESOLVE}),
}
PERMISSIONS = {role: actions | _SYNC[role] for role, actions in PERMISSIONS.items()}

# Workstation settings (idle lock, …): the administrator, within what IT's machine
# configuration left unlocked; everyone else sees them read-only.
PERMISSIONS[Role.ADMIN] = PERMISSIONS[Role.ADMIN] | {Action.SETTINGS_MANAGE}


def is_allowed(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]
