"""The suggester's term index is derived at import, kept in the encrypted store, loaded by a new
process instead of derived again, and derived afresh when what is stored is stale or damaged."""

from __future__ import annotations

import base64
import logging
import zlib
from dataclasses import replace

import pytest
from clinic_app.bootstrap import Services
from clinic_app.codes import term_index_store
from clinic_app.codes.icd10cm_importer import packaged_release
from clinic_app.codes.lexicon import load_lexicon
from clinic_app.codes.models import CodeSystem
from clinic_app.codes.term_index import build_packed
from clinic_app.errors import OperationCancelledError
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.meta import get_meta, set_meta
from clinic_app.tasks import CancelToken
from sqlalchemy import text

NOTE = "Pt with long-standing HTN, T2DM poorly controlled, no chest pain. FHx of colon cancer."
DERIVING = "deriving the code suggestion index"


def _set_id(services: Services, user: AuthenticatedUser) -> str:
    info = services.codes.active_set(user, CodeSystem.ICD10CM)
    assert info is not None
    return info.id


@pytest.fixture
def fresh_process() -> None:
    """What a new process starts with: no index in memory."""
    term_index_store.forget_cached()


def _stored(services: Services, set_id: str) -> str | None:
    with services.db.unit_of_work(write=False) as uow:
        return get_meta(uow.session, term_index_store.meta_key(set_id))


def _store(services: Services, set_id: str, value: str) -> None:
    with services.db.unit_of_work() as uow:
        set_meta(uow.session, term_index_store.meta_key(set_id), value)
        uow.commit()


def _codes(services: Services, doctor: AuthenticatedUser) -> list[str]:
    return [s.code for s in services.codes.suggest(doctor, NOTE)]


def test_the_import_stores_the_index_and_a_new_process_loads_it(
    codes_services: Services,
    doctor: AuthenticatedUser,
    fresh_process: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    set_id = _set_id(codes_services, doctor)
    value = _stored(codes_services, set_id)
    assert value is not None
    assert value.startswith(term_index_store.derivation_key(load_lexicon()) + ":")
    with caplog.at_level(logging.INFO, logger="clinic_app.codes.term_index_store"):
        codes = _codes(codes_services, doctor)
    assert DERIVING not in caplog.text
    assert set(codes[:3]) == {"I10", "E11.65", "Z80.0"}
    assert _stored(codes_services, set_id) == value  # read, not rewritten


@pytest.mark.parametrize(
    "damage",
    [
        "stale derivation",
        "not base64",
        "truncated",
        "not json",
        "json of the wrong shape",
        "empty",
    ],
)
def test_a_stale_or_damaged_index_is_derived_again_and_replaced(
    codes_services: Services,
    doctor: AuthenticatedUser,
    fresh_process: None,
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    set_id = _set_id(codes_services, doctor)
    good = _stored(codes_services, set_id)
    assert good is not None
    expected = _codes(codes_services, doctor)
    term_index_store.forget_cached()
    key, _, payload = good.partition(":")
    damaged = {
        "stale derivation": "v0-0123456789abcdef01234567:" + payload,
        "not base64": key + ":%%%not base64%%%",
        "truncated": key + ":" + payload[: len(payload) // 2],
        "not json": key + ":" + base64.b64encode(zlib.compress(b"{not json")).decode(),
        "json of the wrong shape": key
        + ":"
        + base64.b64encode(zlib.compress(b'{"idf": [], "default_idf": 1})')).decode(),
        "empty": "",
    }[damage]
    _store(codes_services, set_id, damaged)
    with caplog.at_level(logging.INFO, logger="clinic_app.codes.term_index_store"):
        assert _codes(codes_services, doctor) == expected
    assert DERIVING in caplog.text
    replaced = _stored(codes_services, set_id)
    assert replaced is not None
    assert term_index_store.decode(replaced, load_lexicon()) is not None


def test_a_set_without_a_stored_index_gets_one_at_its_first_suggestion(
    codes_services: Services, doctor: AuthenticatedUser, fresh_process: None
) -> None:
    set_id = _set_id(codes_services, doctor)
    with codes_services.db.unit_of_work() as uow:
        uow.session.execute(
            text("DELETE FROM store_meta WHERE key = :key"),
            {"key": term_index_store.meta_key(set_id)},
        )
        uow.commit()
    assert _stored(codes_services, set_id) is None
    assert set(_codes(codes_services, doctor)[:3]) == {"I10", "E11.65", "Z80.0"}
    assert _stored(codes_services, set_id) is not None


def test_the_packed_index_survives_encoding(
    codes_services: Services, doctor: AuthenticatedUser
) -> None:
    lexicon = load_lexicon()
    set_id = _set_id(codes_services, doctor)
    with codes_services.db.unit_of_work(write=False) as uow:
        packed = build_packed(uow.session, set_id, lexicon)
    assert term_index_store.decode(term_index_store.encode(packed, lexicon), lexicon) == packed
    assert len(packed.codes) > 40_000
    assert "|" in packed.anchors["hypertens"]


def test_nothing_is_written_beside_the_store(
    codes_services: Services, doctor: AuthenticatedUser, fresh_process: None
) -> None:
    before = sorted(p.name for p in codes_services.settings.data_dir.iterdir())
    _codes(codes_services, doctor)
    after = sorted(p.name for p in codes_services.settings.data_dir.iterdir())
    assert after == before


class _CancelWhenPreparing:
    """A progress reporter that asks for a cancel once the import starts on the index."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.messages: list[str] = []

    def report(self, done: int, total: int, message: str = "") -> None:
        self.messages.append(message)
        if message == "Preparing code suggestions":
            self.token.cancel()


def test_cancelling_while_the_index_is_derived_leaves_nothing_behind(
    codes_services: Services, admin: AuthenticatedUser, doctor: AuthenticatedUser
) -> None:
    before = _set_id(codes_services, doctor)
    with codes_services.db.unit_of_work(write=False) as uow:
        keys_before = uow.session.execute(text("SELECT key FROM store_meta")).scalars().all()
    token = CancelToken()
    progress = _CancelWhenPreparing(token)
    release = replace(packaged_release(), version="2026-04 (cancelled)")
    with pytest.raises(OperationCancelledError):
        codes_services.codes.import_icd10cm(admin, release, progress=progress, cancel=token)
    assert "Preparing code suggestions" in progress.messages
    assert _set_id(codes_services, doctor) == before
    assert [s.version for s in codes_services.codes.list_sets(admin)] == ["2026-04"]
    with codes_services.db.unit_of_work(write=False) as uow:
        keys_after = uow.session.execute(text("SELECT key FROM store_meta")).scalars().all()
    assert keys_after == keys_before
