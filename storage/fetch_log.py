"""The fetch log: every URL a crawl fetched, the validators of its last response and what became of it.

It is what makes re-crawls incremental (known articles are not fetched again,
listings are revalidated with their ETag / Last-Modified) and crawls resumable
(what a killed run archived is known; what it did not is fetched again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.db import as_utc, now, upsert
from storage.schema import fetches, runs

#: Outcomes of a page that was an article: the archive holds it (or it is too old to), it need not be fetched again.
ARTICLE_OUTCOMES = frozenset({"archived", "duplicate", "known", "revised", "unchanged", "too_old"})
#: Where a URL's dates come from: its sitemap, news sitemap and feed entries. Each has its column ``<channel>_date``.
CHANNELS = ("sitemap", "news", "feed")


@dataclass(frozen=True)
class Fetch:
    """One response (or failure) for a canonical URL: ``outcome`` 'fetched' until the pipelines settle it."""

    url: str
    site: str
    kind: str
    status: int | None
    etag: str | None
    last_modified: str | None
    outcome: str
    detail: str | None = None
    #: the number of a paginated listing's page, from 2 (None: not a next page)
    listing_page: int | None = None


@dataclass(frozen=True)
class FetchState:
    """What the log knows of a URL; ``complete`` if the run that last fetched it finished."""

    kind: str
    status: int | None
    etag: str | None
    last_modified: str | None
    outcome: str
    first_fetched: datetime
    fetched: datetime
    complete: bool
    #: channel (see CHANNELS) -> the date its entry gave when last seen
    dates: dict[str, str] = field(default_factory=dict)
    #: the page's own dateModified when last archived
    page_modified: str | None = None
    listing_page: int | None = None

    @property
    def is_article(self) -> bool:
        return self.kind == "article" and self.outcome in ARTICLE_OUTCOMES


# Built once: building a statement per call costs more than running it.
_STATE = (
    sa.select(fetches, runs.c.finish_reason)
    .join(runs, runs.c.id == fetches.c.run_id, isouter=True)
    .where(fetches.c.url == sa.bindparam("b_url"))
)
_UPDATE = fetches.update().where(fetches.c.url == sa.bindparam("b_url"))


def _state(row: sa.Row[Any]) -> FetchState:
    """Return the fetch state in a row of ``_STATE``."""
    return FetchState(
        kind=row.kind,
        status=row.status,
        etag=row.etag,
        last_modified=row.last_modified,
        outcome=row.outcome,
        first_fetched=as_utc(row.first_fetched),
        fetched=as_utc(row.fetched),
        complete=row.finish_reason == "finished",
        dates={c: d for c in CHANNELS if (d := getattr(row, f"{c}_date"))},
        page_modified=row.page_modified,
        listing_page=row.listing_page,
    )


class FetchLog:
    """The ``fetches`` table of an archive.

    Writes are queued and sent ``batch_size`` at a time in one transaction (call
    :meth:`flush` before closing): one commit per response costs the crawl's only
    thread more than the fetch. Reads see queued writes.
    """

    def __init__(self, archive: Archive, batch_size: int = 1) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size!r}")
        self.engine = archive.engine
        self.batch_size = batch_size
        self._pending: list[tuple[sa.Executable, Mapping[str, object]]] = []
        self._pending_urls: set[str] = set()
        insert = upsert(fetches, self.engine.dialect.name)
        kept = {f"{c}_date" for c in CHANNELS} | {"page_modified"}  # a fetch does not know them: noted apart
        updated = {c.name: insert.excluded[c.name] for c in fetches.c if c.name not in kept | {"url", "first_fetched"}}
        self._record = insert.on_conflict_do_update(index_elements=["url"], set_=updated)
        #: dates noted for URLs the log had no row for yet: written with their first record
        self._dates: dict[str, dict[str, str]] = {}

    def record(self, fetch: Fetch, run_id: int | None) -> None:
        """Remember ``fetch`` as the latest of its URL (the first fetch time stays)."""
        moment = now()
        dates: dict[str, str | None] = {name: None for name in (*(f"{c}_date" for c in CHANNELS), "page_modified")}
        dates |= {f"{c}_date": d for c, d in self._dates.pop(fetch.url, {}).items()}
        self._queue(
            fetch.url,
            self._record,
            asdict(fetch) | dates | {"fetched": moment, "run_id": run_id, "first_fetched": moment},
        )

    def note_dates(self, url: str, dates: dict[str, str]) -> None:
        """Remember the dates the channels of ``dates`` (see CHANNELS) give ``url`` now, fetched or not."""
        dates = {c: d for c, d in dates.items() if c in CHANNELS and d}
        if not dates:
            return
        self._dates.setdefault(url, {}).update(dates)
        self._queue(url, _UPDATE, {"b_url": url} | {f"{c}_date": d for c, d in dates.items()})

    def settle(
        self, url: str, kind: str, outcome: str, detail: str | None = None, page_modified: str | None = None
    ) -> None:
        """Record what became of the page last fetched from ``url`` (an article: with its own dateModified)."""
        values = {"b_url": url, "kind": kind, "outcome": outcome, "detail": detail}
        if page_modified:
            values["page_modified"] = page_modified
        self._queue(url, _UPDATE, values)

    def revalidated(self, url: str, run_id: int | None) -> None:
        """Record a 304 for ``url``: the page and its validators are as the log holds them."""
        values = {"status": 304, "outcome": "unchanged", "fetched": now(), "run_id": run_id}
        self._queue(url, _UPDATE, {"b_url": url, **values})

    def flush(self) -> None:
        """Write the queued records in one transaction, in the order they came."""
        if not self._pending:
            return
        with self.engine.begin() as conn:
            for stmt, params in self._pending:
                conn.execute(stmt, params)
        self._pending.clear()
        self._pending_urls.clear()

    def _queue(self, url: str, stmt: sa.Executable, params: Mapping[str, object]) -> None:
        self._pending.append((stmt, params))
        self._pending_urls.add(url)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def state(self, url: str) -> FetchState | None:
        """Return what the log knows of ``url``, or None if it never fetched it."""
        if url in self._pending_urls:
            self.flush()
        with self.engine.connect() as conn:
            row = conn.execute(_STATE, {"b_url": url}).first()
        return None if row is None else _state(row)

    def pages_of(
        self, sites: Iterable[str], kinds: Iterable[str], first_fetched_after: datetime | None = None
    ) -> list[tuple[str, str]]:
        """Return (url, kind) of the pages of ``kinds`` the log holds for ``sites``, oldest first."""
        query = (
            sa.select(fetches.c.url, fetches.c.kind)
            .where(fetches.c.site.in_(list(sites)), fetches.c.kind.in_(list(kinds)))
            # a listing's next pages are walked from its first page; a page that is gone (404) stays gone
            .where(fetches.c.listing_page.is_(None))
            .where(sa.or_(fetches.c.status.is_(None), fetches.c.status < 400, fetches.c.status >= 500))
            .order_by(fetches.c.first_fetched)
        )
        if first_fetched_after is not None:
            query = query.where(fetches.c.first_fetched > first_fetched_after)
        self.flush()
        with self.engine.connect() as conn:
            return [(url, kind) for url, kind in conn.execute(query)]

    def known(self, urls: Iterable[str]) -> set[str]:
        """Return those of ``urls`` the log holds."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return set()
        self.flush()
        with self.engine.connect() as conn:
            return set(conn.scalars(sa.select(fetches.c.url).where(fetches.c.url.in_(urls))))

    def failed_pages(self, sites: Iterable[str]) -> list[str]:
        """Return the pages of ``sites`` worth another try: the last fetch failed (5xx, no response), or came cut short."""
        failed = sa.and_(
            fetches.c.kind == "page",
            fetches.c.outcome == "error",
            sa.or_(fetches.c.status.is_(None), fetches.c.status >= 500),
        )
        query = sa.select(fetches.c.url).where(
            fetches.c.site.in_(list(sites)),
            sa.or_(failed, sa.and_(fetches.c.kind == "article", fetches.c.outcome == "incomplete")),
        )
        self.flush()
        with self.engine.connect() as conn:
            return list(conn.scalars(query.order_by(fetches.c.first_fetched)))

    def counts(self) -> dict[tuple[str, str], int]:
        """Return how many URLs the log holds per (kind, outcome)."""
        query = sa.select(fetches.c.kind, fetches.c.outcome, sa.func.count()).group_by(
            fetches.c.kind, fetches.c.outcome
        )
        self.flush()
        with self.engine.connect() as conn:
            return {(kind, outcome): n for kind, outcome, n in conn.execute(query)}
