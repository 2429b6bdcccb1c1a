"""Bringing workstations to the end state after random work, and checking it."""

from __future__ import annotations

import random

from clinic_app.security.permissions import Role
from clinic_app.sync.errors import ServerUnavailableError
from clinic_app.sync.models import ConflictKind, Resolution

from tests.sync.offline_work import REGISTRY, OfflineWork
from tests.sync.workstation import Workstation, assert_converged


def try_sync(station: Workstation) -> bool:
    """A sync through a bad network may stop early; it resumes on the next call."""
    try:
        station.sync_now()
    except ServerUnavailableError:
        return False
    return True


def resolve_everything(stations: list[Workstation], rng: random.Random) -> int:
    """People resolve every open conflict (either side, at random). Returns how many."""
    resolved = 0
    for station in stations:
        for role in (Role.FRONT_DESK, Role.DOCTOR):
            user = station.users[role]
            for conflict in station.sync.conflicts(user):
                if conflict.kind is ConflictKind.DUPLICATE_PATIENT:
                    choice = Resolution.KEEP_BOTH
                else:
                    choice = rng.choice([c for c in conflict.choices if c is not Resolution.MERGE])
                station.sync.resolve(user, conflict.id, choice)
                resolved += 1
    return resolved


def settle(stations: list[Workstation], rng: random.Random, rounds: int = 6) -> None:
    """Syncs (and resolves) until nothing is left to send and nothing is open."""
    for _ in range(rounds):
        for station in stations:
            assert try_sync(station), station.name
        if resolve_everything(stations, rng) == 0 and all(s.outbox() == 0 for s in stations):
            for station in stations:
                assert try_sync(station)
            return
    raise AssertionError("the workstations did not settle")


def conflicted_entities(stations: list[Workstation]) -> set[str]:
    found: set[str] = set()
    for station in stations:
        with station.db.unit_of_work(write=False) as uow:
            found.update(
                uow.session.execute(
                    __import__("sqlalchemy").text("SELECT entity_id FROM sync_conflicts")
                ).scalars()
            )
    return found


def check_end_state(stations: list[Workstation], work: OfflineWork) -> None:
    """Converged; every creation exactly once everywhere; every edit survived, was superseded
    by a later edit, or its record went through a conflict someone saw."""
    assert_converged(*stations)
    content = stations[0].content()
    for table, ids in work.created.items():
        assert ids <= set(content[table]), table
    conflicted = conflicted_entities(stations)
    latest: dict[tuple[str, str], int] = {}
    for edit in work.edits:
        key = (edit.entity_id, edit.field)
        latest[key] = max(latest.get(key, 0), edit.seq)
    for edit in work.edits:
        mapping = REGISTRY.for_table(edit.table)
        assert mapping is not None
        values, _deleted = content[edit.table][edit.entity_id]
        final = values[mapping.fields.index(edit.field)]
        survived = final == edit.value
        superseded = latest[(edit.entity_id, edit.field)] > edit.seq
        assert survived or superseded or edit.entity_id in conflicted, edit
    for station in stations:
        assert not station.open_conflicts(), station.name
        assert not station.held(), station.name
