"""The sync log (`sync_log`): what each sync did, for the Sync page. Ids, counts and outcomes
only; never names or clinical text (a server message is kept in the quarantine, not here)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import insert
from sqlalchemy.orm import Session

from clinic_app.storage.types import utcnow
from clinic_app.sync.tables import SyncLogRow

MAX_MESSAGE = 500


class LogEvent(StrEnum):
    STARTED = "started"
    PULLED = "pulled"  # pages staged
    APPLIED = "applied"  # server changes written here
    PUSHED = "pushed"
    LOCAL_ONLY = "local_only"  # outbox entries of tables that stay on this workstation
    CONFLICT = "conflict"
    MERGED = "merged"  # demographics merged automatically
    DUPLICATE = "duplicate"  # a possible duplicate patient was found
    QUARANTINED = "quarantined"
    RELEASED = "released"
    RESOLVED = "resolved"
    UPLOADED = "uploaded"
    DOWNLOADED = "downloaded"
    CODE_SET = "code_set"
    MODEL_PACK = "model_pack"  # a model pack release verified and installed
    FINISHED = "finished"
    OFFLINE = "offline"
    FAILED = "failed"


def write_log(
    session: Session,
    server_url: str,
    event: LogEvent,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    count: int = 0,
    message: str = "",
) -> None:
    session.execute(
        insert(SyncLogRow).values(
            at=utcnow(),
            server_url=server_url,
            event=event.value,
            entity_type=entity_type,
            entity_id=entity_id,
            count=count,
            message=" ".join(message.split())[:MAX_MESSAGE],
        )
    )
