"""Pull, first half: stage the server's changes since the cursor into `sync_inbox`.

Each page is staged in one local transaction together with where to go on (`next_link`), so a
pull cut short (network, crash, kill) resumes at the page it stopped on; if the server no
longer knows that link, the pull starts again from the cursor and the inbox keeps what it had
(only the newest version per resource is kept, so nothing is staged twice). When the last page
is in, `pending_cursor` is where the next pull starts: the later of the server's snapshot time
(`Bundle.meta.lastUpdated`) and the newest change seen, less a small overlap. `_since` is
inclusive and re-read versions are skipped when applied, so versions that share a timestamp
are neither lost nor applied twice.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import Table, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from clinic_app.errors import OperationCancelledError
from clinic_app.storage.database import Database
from clinic_app.sync.client import FhirClient
from clinic_app.sync.errors import RejectedError
from clinic_app.sync.fhir_values import instant, parse_instant
from clinic_app.sync.gc_pause import collector_paused
from clinic_app.sync.history_page import HistoryPage, StagedVersion, parse_history_page
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.state import APPLYING, FETCHING, IDLE, load_state, update_state
from clinic_app.sync.tables import SyncInboxRow
from clinic_app.tasks import CancelToken, ProgressReporter

_INBOX = cast(Table, SyncInboxRow.__table__)
_NEWER = text(
    "excluded.last_updated > sync_inbox.last_updated OR (excluded.last_updated = "
    "sync_inbox.last_updated AND excluded.version_rank > sync_inbox.version_rank)"
)


@dataclass(frozen=True)
class FetchResult:
    pages: int
    staged: int
    skipped: int


def stage(session: Session, server_url: str, versions: list[StagedVersion]) -> None:
    """Adds versions to the inbox, keeping only the newest version of each resource."""
    if not versions:
        return
    statement = sqlite_insert(_INBOX)
    statement = statement.on_conflict_do_update(
        index_elements=["server_url", "resource_type", "resource_id"],
        set_={
            "version_id": statement.excluded.version_id,
            "version_rank": statement.excluded.version_rank,
            "last_updated": statement.excluded.last_updated,
            "deleted": statement.excluded.deleted,
            "body": statement.excluded.body,
        },
        where=_NEWER,
    )
    session.execute(
        statement,
        [
            {
                "server_url": server_url,
                "resource_type": v.resource_type,
                "resource_id": v.resource_id,
                "version_id": v.version_id,
                "version_rank": v.version_rank,
                "last_updated": v.last_updated,
                "deleted": v.deleted,
                "body": v.body,
            }
            for v in versions
        ],
    )


class Fetcher:
    def __init__(
        self,
        db: Database,
        client: FhirClient,
        server_url: str,
        wanted_types: set[str],
        *,
        page_size: int = 500,
        overlap: timedelta = timedelta(seconds=2),
    ) -> None:
        self._db = db
        self._client = client
        self._server = server_url
        self._wanted = wanted_types
        self._page_size = page_size
        self._overlap = overlap

    def fetch(self, progress: ProgressReporter, cancel: CancelToken | None) -> FetchResult:
        pages = staged = skipped = 0
        with self._db.unit_of_work() as uow:
            state = load_state(uow.session, self._server)
            phase, link, cursor = state.pull_phase, state.next_link, state.cursor
            uow.commit()
        if phase == APPLYING:
            return FetchResult(0, 0, 0)  # every page is in; what is left is applying them
        # The next page is asked for while this one is being staged: the server builds it
        # while the workstation writes (one request at a time on the connection still).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as pool:
            first = phase != FETCHING or link is None
            coming = pool.submit(self._page, None if first else link, cursor)
            while True:
                if cancel is not None and cancel.cancelled:
                    raise OperationCancelledError
                page = coming.result()
                pages += 1
                staged += len(page.versions)
                skipped += page.skipped
                if page.next_link is not None:
                    coming = pool.submit(self._page, page.next_link, cursor)
                with collector_paused(), self._db.unit_of_work() as uow:
                    stage(uow.session, self._server, page.versions)
                    self._advance(uow.session, page, first=first)
                    uow.commit()
                first = False
                progress.report(staged, 0, "Receiving changes from the server")
                if page.next_link is None:
                    break
        with self._db.unit_of_work() as uow:
            write_log(uow.session, self._server, LogEvent.PULLED, count=staged)
            uow.commit()
        return FetchResult(pages, staged, skipped)

    def _since(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return instant(parse_instant(cursor) - self._overlap)

    def _page(self, link: str | None, cursor: str | None) -> HistoryPage:
        with collector_paused():
            return self._first_page(cursor) if link is None else self._follow(link, cursor)

    def _first_page(self, cursor: str | None) -> HistoryPage:
        return parse_history_page(
            self._client.history(self._since(cursor), self._page_size), self._wanted
        )

    def _follow(self, link: str, cursor: str | None) -> HistoryPage:
        try:
            return parse_history_page(self._client.follow(link), self._wanted)
        except RejectedError as exc:
            if exc.status not in (400, 404, 410):
                raise
            # The server no longer knows where we were: start again from the cursor; the
            # inbox keeps what it has and repeats are merged into it.
            return self._first_page(cursor)

    def _advance(self, session: Session, page: HistoryPage, *, first: bool) -> None:
        state = load_state(session, self._server)
        newest = max((v.last_updated for v in page.versions), default=None)
        candidates = [c for c in (page.snapshot, newest) if c is not None]
        if not first and state.pending_cursor:
            candidates.append(state.pending_cursor)
        pending = max(candidates) if candidates else state.pending_cursor or state.cursor
        update_state(
            session,
            self._server,
            pull_phase=FETCHING if page.next_link else APPLYING,
            next_link=page.next_link,
            pending_cursor=pending,
        )


def finish_pull(session: Session, server_url: str) -> None:
    """After the inbox is applied: the pending cursor becomes the cursor."""
    state = load_state(session, server_url)
    if state.pull_phase == APPLYING:
        update_state(
            session,
            server_url,
            cursor=state.pending_cursor or state.cursor,
            pending_cursor=None,
            pull_phase=IDLE,
            next_link=None,
        )
