"""The fetch log: every URL a crawl fetched, the validators of its last response and what became of it.

It is what makes re-crawls incremental (known articles are not fetched again,
listings are revalidated with their ETag / Last-Modified) and crawls resumable
(what a killed run archived is known; what it did not is fetched again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from storage.archive import Archive, _insert_for
from storage.schema import fetches, runs

#: Outcomes of a page that was an article: the archive holds it, it need not be fetched again.
ARTICLE_OUTCOMES = frozenset({"archived", "duplicate", "known", "revised", "unchanged"})


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

    @property
    def is_article(self) -> bool:
        return self.kind == "article" and self.outcome in ARTICLE_OUTCOMES


def _utc(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class FetchLog:
    """The ``fetches`` table of an archive."""

    def __init__(self, archive: Archive) -> None:
        self.engine = archive.engine

    def record(self, fetch: Fetch, run_id: int | None) -> None:
        """Remember ``fetch`` as the latest of its URL (the first fetch time stays)."""
        now = datetime.now(timezone.utc)
        values = asdict(fetch) | {"fetched": now, "run_id": run_id}
        with self.engine.begin() as conn:
            stmt = _insert_for(conn)(fetches).values(**values, first_fetched=now)
            conn.execute(stmt.on_conflict_do_update(index_elements=["url"], set_=values))

    def settle(self, url: str, kind: str, outcome: str, detail: str | None = None) -> None:
        """Record what became of the page last fetched from ``url``."""
        with self.engine.begin() as conn:
            conn.execute(fetches.update().where(fetches.c.url == url).values(kind=kind, outcome=outcome, detail=detail))

    def revalidated(self, url: str, run_id: int | None) -> None:
        """Record a 304 for ``url``: the page and its validators are as the log holds them."""
        values = {"status": 304, "outcome": "unchanged", "fetched": datetime.now(timezone.utc), "run_id": run_id}
        with self.engine.begin() as conn:
            conn.execute(fetches.update().where(fetches.c.url == url).values(**values))

    def state(self, url: str) -> FetchState | None:
        query = (
            sa.select(fetches, runs.c.finish_reason)
            .join(runs, runs.c.id == fetches.c.run_id, isouter=True)
            .where(fetches.c.url == url)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return FetchState(
            kind=row.kind,
            status=row.status,
            etag=row.etag,
            last_modified=row.last_modified,
            outcome=row.outcome,
            first_fetched=_utc(row.first_fetched),
            fetched=_utc(row.fetched),
            complete=row.finish_reason == "finished",
        )

    def pages_of(
        self, sites: Iterable[str], kinds: Iterable[str], first_fetched_after: datetime | None = None
    ) -> list[tuple[str, str]]:
        """Return (url, kind) of the pages of ``kinds`` the log holds for ``sites``, oldest first."""
        query = (
            sa.select(fetches.c.url, fetches.c.kind)
            .where(fetches.c.site.in_(list(sites)), fetches.c.kind.in_(list(kinds)))
            .order_by(fetches.c.first_fetched)
        )
        if first_fetched_after is not None:
            query = query.where(fetches.c.first_fetched > first_fetched_after)
        with self.engine.connect() as conn:
            return [(url, kind) for url, kind in conn.execute(query)]

    def failed_pages(self, sites: Iterable[str]) -> list[str]:
        """Return the pages of ``sites`` whose last fetch failed in a way worth another try (5xx, no response)."""
        query = sa.select(fetches.c.url).where(
            fetches.c.site.in_(list(sites)),
            fetches.c.kind == "page",
            fetches.c.outcome == "error",
            sa.or_(fetches.c.status.is_(None), fetches.c.status >= 500),
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query.order_by(fetches.c.first_fetched)))

    def counts(self) -> dict[tuple[str, str], int]:
        """Return how many URLs the log holds per (kind, outcome)."""
        query = sa.select(fetches.c.kind, fetches.c.outcome, sa.func.count()).group_by(fetches.c.kind, fetches.c.outcome)
        with self.engine.connect() as conn:
            return {(kind, outcome): n for kind, outcome, n in conn.execute(query)}
