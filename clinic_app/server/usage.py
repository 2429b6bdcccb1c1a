"""The usage log: requests, bytes in and out, and errors per device and UTC day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clinic_app.server.database import read_transaction, write_transaction
from clinic_app.server.tables import devices, usage_daily

ANONYMOUS = ""  # requests refused before a device was known (bad or missing tokens)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True)
class UsageRow:
    device: str  # the device's name, or "(unauthenticated)"
    day: str
    requests: int
    bytes_in: int
    bytes_out: int
    errors: int


class UsageLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self, device_id: str | None, bytes_in: int, bytes_out: int, error: bool, day: str = ""
    ) -> None:
        values = {
            "device_id": device_id or ANONYMOUS,
            "day": day or today(),
            "requests": 1,
            "bytes_in": bytes_in,
            "bytes_out": bytes_out,
            "errors": int(error),
        }
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(usage_daily).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[usage_daily.c.device_id, usage_daily.c.day],
            set_={
                "requests": usage_daily.c.requests + 1,
                "bytes_in": usage_daily.c.bytes_in + bytes_in,
                "bytes_out": usage_daily.c.bytes_out + bytes_out,
                "errors": usage_daily.c.errors + int(error),
            },
        )
        with write_transaction(self._engine) as connection:
            connection.execute(statement)

    def report(self, since: str | None = None, device_name: str | None = None) -> list[UsageRow]:
        query = select(
            devices.c.name,
            usage_daily.c.day,
            usage_daily.c.requests,
            usage_daily.c.bytes_in,
            usage_daily.c.bytes_out,
            usage_daily.c.errors,
        ).select_from(
            usage_daily.outerjoin(devices, devices.c.device_id == usage_daily.c.device_id)
        )
        if since:
            query = query.where(usage_daily.c.day >= since)
        if device_name:
            query = query.where(devices.c.name == device_name)
        query = query.order_by(usage_daily.c.day, devices.c.name)
        with read_transaction(self._engine) as connection:
            rows = connection.execute(query).all()
        return [
            UsageRow(name or "(unauthenticated)", day, int(r), int(i), int(o), int(e))
            for name, day, r, i, o, e in rows
        ]
