"""IT's model-pack operations, checked against the permission table and audited: trust a
signing key, install a signed pack. (Listing and verifying need no account.)"""

from __future__ import annotations

import shutil
from pathlib import Path

from clinic_app.errors import ValidationError
from clinic_app.imaging.model_registry import ModelPack, ModelRegistry
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.signatures import fingerprint, load_public_key, public_key_base64
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database


class ModelAdminService:
    def __init__(
        self, registry: ModelRegistry, db: Database, audit: AuditLog, authorizer: Authorizer
    ) -> None:
        self._registry = registry
        self._db = db
        self._audit = audit
        self._authz = authorizer

    def trust_key(self, user: AuthenticatedUser, key_file: Path) -> str:
        """Adds IT's public key to the trusted keys; returns its fingerprint."""
        self._authz.require(user, Action.MODELS_MANAGE, record_type="model_key")
        key = load_public_key(key_file)
        print_ = fingerprint(key)
        keys_dir = self._registry.keys_dir
        keys_dir.mkdir(parents=True, exist_ok=True)
        target = keys_dir / f"{print_}.pub"
        staging = keys_dir / f".{print_}.pub.tmp"
        staging.write_text(public_key_base64(key) + "\n", encoding="ascii")
        staging.replace(target)
        self._record(user, "models.trust_key", print_, {"fingerprint": print_})
        return print_

    def install(self, user: AuthenticatedUser, pack_dir: Path) -> ModelPack:
        self._authz.require(user, Action.MODELS_MANAGE, record_type="model_pack")
        if not pack_dir.is_dir():
            raise ValidationError(f"{pack_dir} is not a model pack folder.")
        pack = self._registry.install(pack_dir)
        self._record(
            user,
            "models.install",
            f"{pack.manifest.name}-{pack.manifest.version}"[:64],
            {"sha256": pack.manifest.sha256, "status": pack.manifest.status.value},
        )
        return pack

    def remove(self, user: AuthenticatedUser, name: str, version: str) -> None:
        self._authz.require(user, Action.MODELS_MANAGE, record_type="model_pack")
        target = self._registry.install_dir / f"{name}-{version}"
        if not target.is_dir() or target.parent != self._registry.install_dir:
            raise ValidationError(f"{name} {version} is not installed in the data directory.")
        shutil.rmtree(target)
        self._registry.forget()
        self._record(user, "models.remove", f"{name}-{version}"[:64], {})

    def _record(
        self, user: AuthenticatedUser, action: str, record_id: str, details: dict[str, str]
    ) -> None:
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                user.actor,
                action,
                record_type="model_pack",
                record_id=record_id,
                details=details,
            )
            uow.commit()
