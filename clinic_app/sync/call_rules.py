"""What every `SyncService` call shares: the record type its permission checks and audit
entries name, and the cap on one listed page (the GUI pages; a bigger page is a mistake)."""

from __future__ import annotations

from clinic_app.errors import ValidationError

RECORD_TYPE = "sync"
MAX_LIST = 500


def check_limit(limit: int) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"The limit must be between 1 and {MAX_LIST}.")
