"""Synthetic patients for demos and benchmarks. Every one is plainly fake: the MRN starts with
DEMO-, the history says SYNTHETIC, and the names are drawn from a small fixed list."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from clinic_app.errors import ValidationError
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import fold, phone_search_terms
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.outbox import OutboxOperation, OutboxRow
from clinic_app.storage.types import new_id, utcnow
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

MAX_SEED = 1_000_000
_BATCH = 5_000

GIVEN = [
    "Amara",
    "Ana",
    "Aiko",
    "Björn",
    "Carlos",
    "Chen",
    "Chloé",
    "Dmitri",
    "Elif",
    "Émile",
    "Fatima",
    "Femi",
    "Grace",
    "Hamid",
    "Hana",
    "Ines",
    "Ivan",
    "Jamal",
    "Jana",
    "José",
    "Kofi",
    "Lena",
    "Leila",
    "Luca",
    "Mai",
    "Marta",
    "María",
    "Mateo",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sami",
    "Sara",
    "Søren",
    "Tariq",
    "Tomás",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zoë",
]
FAMILY = [
    "Abadi",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Costa",
    "Dąbrowski",
    "Dubois",
    "Eriksen",
    "Fernández",
    "Fischer",
    "García",
    "González",
    "Haddad",
    "Hansen",
    "Ibrahim",
    "Ivanova",
    "Jensen",
    "Kato",
    "Kim",
    "Kowalski",
    "Larsen",
    "López",
    "Martin",
    "Mensah",
    "Müller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Pereira",
    "Petrov",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Walker",
    "Wang",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Żukowski",
]


def synthetic_rows(count: int, start_rowid: int, rng: random.Random) -> list[dict[str, object]]:
    today = date.today()
    rows: list[dict[str, object]] = []
    now = utcnow()
    for index in range(count):
        given = rng.choice(GIVEN)
        family = rng.choice(FAMILY)
        number = start_rowid + index
        phone = f"+1 555 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
        digits = "".join(ch for ch in phone if ch.isdigit())
        rows.append(
            {
                "id": new_id(),
                "search_rowid": number,
                "given_name": given,
                "family_name": family,
                "given_fold": fold(given),
                "family_fold": fold(family),
                "sex": rng.choice(("female", "male")),
                "birth_date": today - timedelta(days=rng.randrange(0, 95 * 365)),
                "phone": phone,
                "phone_digits": digits,
                "phone_search": phone_search_terms(digits),
                "mrn": f"DEMO-{number:07d}",
                "history_notes": "SYNTHETIC demo patient: not a real person.",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    return rows


def seed_patients(
    db: Database,
    audit: AuditLog,
    authorizer: Authorizer,
    user: AuthenticatedUser,
    count: int,
    *,
    seed: int | None = None,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Inserts `count` synthetic patients in batches (each batch its own transaction, with its
    outbox entries and one audit event). Returns how many were inserted."""
    authorizer.require(user, Action.DEMO_SEED, record_type="patient")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SEED:
        raise ValidationError(f"The number of patients must be between 1 and {MAX_SEED:,}.")
    progress = progress or NullProgress()
    rng = random.Random(seed)
    done = 0
    while done < count:
        if cancel is not None:
            cancel.raise_if_cancelled()
        size = min(_BATCH, count - done)
        with db.unit_of_work() as uow:
            start = (uow.session.scalar(select(func.max(PatientRow.search_rowid))) or 0) + 1
            rows = synthetic_rows(size, start, rng)
            # Bulk insert bypasses the flush hook, so the outbox entries are written here.
            uow.session.execute(insert(PatientRow), rows)
            uow.session.execute(
                insert(OutboxRow),
                [
                    {
                        "entity_type": PatientRow.__tablename__,
                        "entity_id": row["id"],
                        "operation": OutboxOperation.CREATE.value,
                        "entity_version": 1,
                        "created_at": row["created_at"],
                    }
                    for row in rows
                ],
            )
            audit.append(
                uow.session, user.actor, "demo.seed", record_type="patient", details={"count": size}
            )
            uow.commit()
        done += size
        progress.report(done, count, "Creating synthetic patients")
    return done
