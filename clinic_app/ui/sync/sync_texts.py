"""How sync reads on screen: the status line, times relative to now, labels, and errors a
person can act on (what happened, that nothing was lost, what to do next)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from clinic_app.errors import OperationCancelledError
from clinic_app.storage.types import utcnow
from clinic_app.sync.errors import (
    AuthenticationRefusedError,
    BadResponseError,
    ServerUnavailableError,
    SyncError,
    SyncNotConfiguredError,
)
from clinic_app.sync.models import ConflictKind, RecordSyncState, Resolution, SyncStatus
from clinic_app.sync.run_lock import SyncRunningError
from clinic_app.ui.error_presenter import ErrorDescription, describe_error

EVENT_LABELS = {
    "started": "Sync started",
    "pulled": "Changes fetched",
    "applied": "Server changes stored here",
    "pushed": "Changes sent",
    "local_only": "Local-only changes cleared",
    "conflict": "Conflict found",
    "merged": "Merged automatically",
    "duplicate": "Possible duplicate patient",
    "quarantined": "Record held",
    "released": "Held record released",
    "resolved": "Conflict resolved",
    "uploaded": "File uploaded",
    "downloaded": "File downloaded",
    "code_set": "Code set received",
    "finished": "Sync finished",
    "offline": "Server not reachable",
    "failed": "Sync failed",
}
# Events that mean something needs a person: shown in the log's warning colour.
ATTENTION_EVENTS = frozenset({"conflict", "duplicate", "quarantined", "offline", "failed"})

KIND_LABELS = {
    ConflictKind.EDIT: "Changed on both sides",
    ConflictKind.DELETED_ON_SERVER: "Deleted on the server",
    ConflictKind.SLOT_TAKEN: "Slot already booked",
    ConflictKind.DUPLICATE_PATIENT: "Possible duplicate patient",
}

RESOLUTION_LABELS = {
    Resolution.KEEP_LOCAL: "Keep this workstation's version",
    Resolution.TAKE_SERVER: "Take the server's version",
    Resolution.MERGE: "Merge the chosen fields",
    Resolution.CANCEL_BOOKING: "Cancel the booking here",
    Resolution.KEEP_BOTH: "Keep both: different people",
    Resolution.MERGED: "Same person: merge…",
}

STATE_LABELS = {
    RecordSyncState.SYNCED: "Synced: the server has this version",
    RecordSyncState.PENDING: "Waiting to be sent",
    RecordSyncState.CONFLICT: "In conflict: see Conflicts",
    RecordSyncState.QUARANTINED: "Held: see Held records",
    RecordSyncState.DOWNLOADING: "File still downloading",
    RecordSyncState.LOCAL_ONLY: "Stays on this workstation (not synced)",
    RecordSyncState.UNKNOWN: "No such record on this workstation",
}

# The synced tables a person may look up by id on the Sync page, as they read on screen.
TABLE_LABELS = {
    "patients": "Patient",
    "visits": "Visit",
    "vitals": "Vital signs",
    "coded_entries": "Diagnosis or procedure",
    "records": "Record",
    "addenda": "Addendum",
    "annotations": "Annotation",
    "attachments": "Attachment",
    "appointments": "Appointment",
    "slots": "Slot",
    "doctor_profiles": "Doctor profile",
}


def table_label(entity_type: str) -> str:
    return TABLE_LABELS.get(entity_type, entity_type.replace("_", " ").capitalize())


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "2 days ago"; "never" for None."""
    if moment is None:
        return "never"
    now = now or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return "yesterday" if days == 1 else f"{days} days ago"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class StatusLine:
    text: str
    icon: str
    tooltip: str


def describe_status(
    status: SyncStatus, *, running: bool = False, now: datetime | None = None
) -> StatusLine:
    """The status bar's one line: state, last success, then what waits (never record data)."""
    extras = []
    if status.pending_changes:
        extras.append(f"{status.pending_changes} to send")
    if status.conflicts:
        extras.append(_plural(status.conflicts, "conflict"))
    if status.quarantined:
        extras.append(f"{status.quarantined} held")
    tail = "".join(f" · {part}" for part in extras)
    if not status.configured:
        return StatusLine(
            f"Sync not set up{tail}",
            "offline",
            "This workstation is not connected to a sync server. Click for the Sync page.",
        )
    last = relative_time(status.last_success_at, now)
    if running:
        return StatusLine(f"Syncing…{tail}", "refresh", "A sync is running. Click for details.")
    if status.last_attempt_at is None:
        state = "Sync on" if status.enabled else "Sync off"
        icon_name = "offline"
    else:
        state, icon_name = ("Online", "online") if status.online else ("Offline", "offline")
    when = f"synced {last}" if status.last_success_at else "never synced"
    if status.last_attempt_at is not None and not status.enabled:
        when += " · background sync off"
    tooltip = f"Server: {status.server_url}\nLast successful sync: {last}"
    if status.last_error:
        tooltip += f"\nLast problem: {status.last_error}"
    tooltip += "\nClick for the Sync page."
    return StatusLine(f"{state} · {when}{tail}", icon_name, tooltip)


def describe_sync_error(error: BaseException, pending: int | None = None) -> ErrorDescription:
    """Sync's errors in words a person can act on; anything else as the app describes it."""
    waiting = (
        f" The {_plural(pending, 'change')} made here wait on this workstation"
        if pending
        else " Changes made here wait on this workstation"
    )
    kept = f"Nothing was lost.{waiting} and go out with the next sync."
    if isinstance(error, ServerUnavailableError):
        return ErrorDescription(
            "The sync server can't be reached",
            f"{error} {kept}",
            "Check the network cable or Wi-Fi and try again later. If it stays offline, "
            "ask IT whether the server is running.",
        )
    if isinstance(error, AuthenticationRefusedError):
        return ErrorDescription(
            "The server refused this workstation",
            f"The device token is wrong, revoked or expired. {kept}",
            "An administrator enters a new device token in Sync settings (IT makes one with "
            "clinic-server devices add).",
        )
    if isinstance(error, BadResponseError):
        return ErrorDescription(
            "The server's answer was not understood",
            f"{error} {kept}",
            "Check that the sync address points at the clinic's FHIR server; tell IT if it does.",
        )
    if isinstance(error, SyncNotConfiguredError):
        return ErrorDescription(
            "Sync is not set up",
            "This workstation is not connected to a sync server yet.",
            "An administrator can connect it in Sync settings.",
        )
    if isinstance(error, SyncRunningError):
        return ErrorDescription("A sync is already running", str(error), "Wait for it to end.")
    if isinstance(error, OperationCancelledError):
        return ErrorDescription(
            "Sync cancelled",
            f"What was already exchanged is kept. {kept}",
        )
    if isinstance(error, SyncError):
        return ErrorDescription("Sync problem", f"{error} {kept}")
    return describe_error(error)


def error_text(error: BaseException, pending: int | None = None) -> str:
    """One paragraph for an inline message: title, message and advice."""
    description = describe_sync_error(error, pending)
    text = f"{description.title}. {description.message}"
    if description.advice:
        text += f" {description.advice}"
    return text
