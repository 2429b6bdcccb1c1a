"""A throwaway PostgreSQL database for one test session, on the local cluster.

`CLINIC_TEST_POSTGRES_URL` names a database to use instead. The PostgreSQL tests never skip:
when no server answers they fail and say how to start one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

POSTGRES_ENV = "CLINIC_TEST_POSTGRES_URL"
_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
_HOW_TO_START = (
    "PostgreSQL is not reachable on 127.0.0.1:5432 ({error}). The server tests need it: start "
    "the local cluster with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main "
    f"start` (trust auth for user postgres), or set {POSTGRES_ENV} to a database URL."
)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Yields a SQLAlchemy URL of an empty database, dropped afterwards."""
    given = os.environ.get(POSTGRES_ENV)
    if given:
        yield given
        return
    try:
        admin = psycopg.connect(_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(_HOW_TO_START.format(error=type(exc).__name__), pytrace=False)
    name = f"clinic_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
