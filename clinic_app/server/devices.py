"""Workstations and their bearer tokens.

A token is 256 random bits, shown once when a device is added or its token rotated; the server
keeps only its SHA-256. A request's token is hashed and looked up, and the stored hash is
compared in constant time. Revoking keeps the device (its usage and the versions it wrote still
name it) but no token of it works any more.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from clinic_app.errors import ConflictError, NotFoundError, ValidationError
from clinic_app.server.database import now_us, read_transaction, write_transaction
from clinic_app.server.tables import devices

TOKEN_PREFIX = "cst_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Device:
    device_id: str
    name: str
    created_us: int
    token_issued_us: int
    revoked_us: int | None
    rate_per_second: float | None
    rate_burst: int | None

    @property
    def active(self) -> bool:
        return self.revoked_us is None


@dataclass(frozen=True)
class IssuedToken:
    device: Device
    token: str


_COLUMNS = (
    devices.c.device_id,
    devices.c.name,
    devices.c.created_us,
    devices.c.token_issued_us,
    devices.c.revoked_us,
    devices.c.rate_per_second,
    devices.c.rate_burst,
)


class DeviceRegistry:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, name: str, rate_per_second: float | None = None, rate_burst: int | None = None
    ) -> IssuedToken:
        if not _NAME.fullmatch(name):
            raise ValidationError("A device name is 1-100 letters, digits, spaces, '.', '_' or '-'")
        _check_limits(rate_per_second, rate_burst)
        token = new_token()
        now = now_us()
        with write_transaction(self._engine) as connection:
            taken = connection.execute(
                select(devices.c.device_id).where(devices.c.name == name)
            ).first()
            if taken is not None:
                raise ConflictError(f"A device named {name!r} already exists")
            connection.execute(
                insert(devices).values(
                    device_id=str(uuid.uuid4()),
                    name=name,
                    token_hash=hash_token(token),
                    created_us=now,
                    token_issued_us=now,
                    revoked_us=None,
                    rate_per_second=rate_per_second,
                    rate_burst=rate_burst,
                )
            )
        return IssuedToken(self.get(name), token)

    def rotate(self, name: str) -> IssuedToken:
        """A new token; the old one stops working at once. A revoked device stays revoked."""
        device = self.get(name)
        if not device.active:
            raise ConflictError(f"Device {name!r} is revoked; add a new device instead")
        token = new_token()
        with write_transaction(self._engine) as connection:
            connection.execute(
                update(devices)
                .where(devices.c.device_id == device.device_id)
                .values(token_hash=hash_token(token), token_issued_us=now_us())
            )
        return IssuedToken(self.get(name), token)

    def revoke(self, name: str) -> Device:
        device = self.get(name)
        if device.active:
            with write_transaction(self._engine) as connection:
                connection.execute(
                    update(devices)
                    .where(devices.c.device_id == device.device_id)
                    .values(revoked_us=now_us(), token_hash=f"revoked:{device.device_id}")
                )
        return self.get(name)

    def set_limits(
        self, name: str, rate_per_second: float | None, rate_burst: int | None
    ) -> Device:
        _check_limits(rate_per_second, rate_burst)
        device = self.get(name)
        with write_transaction(self._engine) as connection:
            connection.execute(
                update(devices)
                .where(devices.c.device_id == device.device_id)
                .values(rate_per_second=rate_per_second, rate_burst=rate_burst)
            )
        return self.get(name)

    def get(self, name: str) -> Device:
        with read_transaction(self._engine) as connection:
            row = connection.execute(select(*_COLUMNS).where(devices.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"No device named {name!r}")
        return Device(*row)

    def list(self) -> list[Device]:
        with read_transaction(self._engine) as connection:
            rows = connection.execute(select(*_COLUMNS).order_by(devices.c.name)).all()
        return [Device(*row) for row in rows]

    def authenticate(self, token: str) -> Device | None:
        """The active device this token belongs to, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = hash_token(token)
        with read_transaction(self._engine) as connection:
            row = connection.execute(
                select(*_COLUMNS, devices.c.token_hash).where(devices.c.token_hash == digest)
            ).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        device = Device(*row[:-1])
        return device if device.active else None


def _check_limits(rate_per_second: float | None, rate_burst: int | None) -> None:
    if rate_per_second is not None and rate_per_second <= 0:
        raise ValidationError("--rate must be a positive number of requests per second")
    if rate_burst is not None and rate_burst < 1:
        raise ValidationError("--burst must be at least 1")
