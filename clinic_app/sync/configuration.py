"""IT points this workstation at a sync server: address, device token (kept in the OS
keyring, only its reference in sync.json), on/off, interval and CA bundle. Checked against
the permission table and audited (whether the token changed, never the token)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from clinic_app.errors import ValidationError
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings, SyncSettings
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.sync.call_rules import RECORD_TYPE
from clinic_app.sync.credentials import new_token_ref, save_token


class SyncConfigurator:
    def __init__(
        self, settings: Settings, db: Database, audit_log: AuditLog, authorizer: Authorizer
    ) -> None:
        self._settings = settings
        self._db = db
        self._audit = audit_log
        self._authz = authorizer

    def configure(
        self,
        user: AuthenticatedUser,
        *,
        url: str | None = None,
        token: str | None = None,
        enabled: bool | None = None,
        interval_seconds: int | None = None,
        ca_bundle: str | None = None,
    ) -> SyncSettings:
        self._authz.require(user, Action.SYNC_CONFIGURE, record_type=RECORD_TYPE)
        current = self._settings.sync
        changes: dict[str, Any] = {}
        if url is not None:
            changes["server_url"] = clean_url(url)
        if enabled is not None:
            changes["enabled"] = bool(enabled)
        if interval_seconds is not None:
            if not 30 <= interval_seconds <= 24 * 3600:
                raise ValidationError("The interval must be 30 seconds to 24 hours.")
            changes["interval_seconds"] = interval_seconds
        if ca_bundle is not None:
            changes["ca_bundle"] = ca_bundle.strip()
        if token is not None:
            if not token.strip() or any(ch.isspace() for ch in token.strip()):
                raise ValidationError("The device token is one word, as the server printed it.")
            ref = current.token_ref or new_token_ref()
            save_token(ref, token.strip())
            changes["token_ref"] = ref
        updated = replace(current, **changes)
        updated.save(self._settings.data_dir)
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                "sync.configure",
                record_type=RECORD_TYPE,
                details={"enabled": updated.enabled, "token_changed": token is not None},
            )
            uow.commit()
        return updated


def clean_url(url: str) -> str:
    cleaned = url.strip().rstrip("/")
    if not cleaned.startswith(("https://", "http://")) or " " in cleaned:
        raise ValidationError("The server address is an http(s) URL, e.g. https://fhir.clinic/fhir")
    return cleaned
