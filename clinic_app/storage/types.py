"""Column types and identity helpers shared by every table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """Ids are made on the workstation so offline rows never collide when synced."""
    return str(uuid.uuid4())


def is_storable_text(value: object) -> bool:
    """A `str` the database can hold: UTF-8 encodable, so no lone surrogates (which a paste
    from a broken source or a fuzzer can produce, and which fail only inside the INSERT)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC as a naive timestamp; refuses naive input so local time never sneaks in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
