"""The archive over SQLAlchemy: stories, sightings, the LSH index and boilerplate counts.

SQLite is the default (a file path or ``sqlite:///…``); PostgreSQL runs the same
code through psycopg 3 (``postgresql://…``). Every write that belongs together — a
story, its first sighting, its index buckets and its line counts — is one transaction.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from storage import schema_version
from storage.schema import lsh_buckets, meta, sightings, site_lines, sites, stories, story_versions, warc_records
from storage.selection import EVERYTHING, Selection
from storage.warc import WarcLocation

logger = logging.getLogger(__name__)


class ArchiveError(Exception):
    """The archive cannot be used as asked (wrong schema, incompatible index, bad URL)."""


@dataclass(frozen=True)
class NewStory:
    """A story seen for the first time, ready to be archived."""

    url: str
    site: str
    title: str | None
    author: str | None
    published: str | None
    language: str | None
    sitename: str | None
    text: str
    raw_text: str
    fingerprint: str
    # metadata beyond the basics; lists and JSON-LD as JSON text
    authors: str | None = None
    updated: str | None = None
    canonical_url: str | None = None
    section: str | None = None
    tags: str | None = None
    image: str | None = None
    description: str | None = None
    jsonld: str | None = None
    raw_headings: str | None = None
    #: the other outlet this copy credits as its source ("first published by …"), None if it credits none
    credit: str | None = None


@dataclass(frozen=True)
class Sighting:
    """A URL where a story was found: ``match`` says how ('original', 'exact', 'near')."""

    url: str
    site: str
    title: str | None
    match: str
    similarity: float
    containment: float
    published: str | None = None
    text: str | None = None
    #: the copy's text as extracted and its subhead lines (JSON): re-cleaning derives ``text`` from them
    raw_text: str | None = None
    raw_headings: str | None = None


#: Text -> (exact fingerprint, index keys): the dedup core's, injected so storage knows nothing of it.
Signer = Callable[[str], tuple[str, list[tuple[int, int]]]]


#: URL schemes people write for PostgreSQL, and the SQLAlchemy driver that serves them.
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_POSTGRES_DRIVER = "postgresql+psycopg://"


#: What an export tells of each other place a story was found.
DUPLICATE_COLUMNS = (
    sightings.c.url,
    sightings.c.site,
    sightings.c.title,
    sightings.c.match,
    sightings.c.similarity,
    sightings.c.containment,
    sightings.c.published,
    sightings.c.seen,
)


@dataclass(frozen=True)
class ArchivedStory:
    """A story read back from an export: written again with its own timestamps and its duplicates."""

    story: NewStory
    first_seen: datetime
    keys: list[tuple[int, int]]
    duplicates: list[tuple[Sighting, datetime]]


#: The lookups and inserts of every crawled article, built once: building a statement costs more than running it.
_SIGHTING_AT = sa.select(sightings.c.id).where(sightings.c.url == sa.bindparam("b_url"))
_STORY_OF_URL = sa.select(sightings.c.story_id).where(sightings.c.url == sa.bindparam("b_url"))
_STORY_BY_FINGERPRINT = sa.select(stories.c.id).where(stories.c.fingerprint == sa.bindparam("b_fingerprint")).limit(1)
_INSERT_STORY = stories.insert()
_INSERT_SIGHTING = sightings.insert()
_INSERT_CAPTURE = warc_records.insert()


def archive_url(target: str) -> str:
    """Return the SQLAlchemy URL for ``target``: a database URL, or a path to an SQLite file.

    ``postgresql://`` (and ``postgres://``) URLs are served by psycopg 3.
    """
    for scheme in _POSTGRES_SCHEMES:
        if target.startswith(scheme):
            return _POSTGRES_DRIVER + target.removeprefix(scheme)
    if "://" in target:
        return target
    return f"sqlite:///{target}"


def archive_file(target: str) -> Path | None:
    """Return the file of an SQLite archive ``target`` (path or URL); None for a server or in-memory database."""
    url = make_url(archive_url(target))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database)
    return None


def _now() -> datetime:
    return datetime.now(UTC)


class Archive:
    """One archive database; create it with a path or URL, close it when done."""

    def __init__(self, target: str, *, create: bool = True) -> None:
        try:
            self.engine: Engine = sa.create_engine(archive_url(target))
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise ArchiveError(f"not a database URL or path: {target!r} ({exc})") from exc
        database = self.engine.url.database
        if not create and self.engine.dialect.name == "sqlite" and database and not os.path.exists(database):
            raise ArchiveError(f"no archive at {database}: crawl into it first, or pass --db")
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            self._migrate(create)
        except sa.exc.DBAPIError as exc:  # not a database (a text file), a server refusing, a locked file
            self.engine.dispose()
            name = _safe(self.engine.url) if "://" in target else target
            raise ArchiveError(f"cannot open archive {name}: {' '.join(str(exc.orig).split())}") from exc  # one line

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, create: bool) -> None:
        try:
            with self.engine.begin() as conn:
                if not create and schema_version.current(conn) is None and not sa.inspect(conn).has_table("stories"):
                    raise ArchiveError(f"no archive in {_safe(self.engine.url)}: crawl into it first, or pass --db")
                schema_version.upgrade(conn)
        except schema_version.SchemaError as exc:
            raise ArchiveError(str(exc)) from exc

    # -- the dedup index -------------------------------------------------

    def ensure_index_params(self, params: dict[str, Any], rebuild: Signer | None = None) -> None:
        """Record the dedup parameters on first use; refuse to mix others into the index later.

        An index built before some parameters existed (the same values for all it
        records) is rebuilt from the stored texts with ``rebuild``, if given.
        """
        wanted = json.dumps(params, sort_keys=True)
        with self.engine.begin() as conn:
            found = conn.scalar(sa.select(meta.c.value).where(meta.c.key == "dedup_index"))
            if found is None:
                conn.execute(meta.insert().values(key="dedup_index", value=wanted))
                return
            old = json.loads(found)
            if old != params and rebuild is not None and all(k in params and params[k] == v for k, v in old.items()):
                logger.info(
                    "rebuilding the dedup index for the parameters it lacks: %s", sorted(set(params) - set(old))
                )
                _rekey(conn, list(conn.scalars(sa.select(stories.c.id))), rebuild)
                conn.execute(meta.update().where(meta.c.key == "dedup_index").values(value=wanted))
                return
        if old != params:
            raise ArchiveError(
                f"this archive's dedup index was built with {found}; these settings ask for {wanted}. "
                "Use the same DEDUP_* settings, or a new archive."
            )

    def known_url(self, url: str) -> bool:
        """Return True if ``url`` is already archived, as a story or as a sighting of one."""
        with self.engine.connect() as conn:
            return conn.scalar(_SIGHTING_AT, {"b_url": url}) is not None

    def story_of_url(self, url: str) -> int | None:
        """Return the story ``url`` is archived under (as its canonical copy or another sighting), if any."""
        with self.engine.connect() as conn:
            return conn.scalar(_STORY_OF_URL, {"b_url": url})

    def story_by_fingerprint(self, fingerprint: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.scalar(_STORY_BY_FINGERPRINT, {"b_fingerprint": fingerprint})

    def candidates(self, keys: Iterable[tuple[int, int]], at_least: int = 1) -> list[int]:
        """Return the stories sharing ``at_least`` index keys ``(band, bucket)`` with ``keys``, most shared first."""
        by_band: dict[int, list[int]] = {}
        for band, key in keys:
            by_band.setdefault(band, []).append(key)
        if not by_band:
            return []
        params = {f"b{i}": band for i, band in enumerate(by_band)} | {
            f"k{i}": ks for i, ks in enumerate(by_band.values())
        }
        with self.engine.connect() as conn:
            return list(conn.scalars(_candidates_query(len(by_band), at_least), params))

    def copy_texts(self, story_ids: Iterable[int]) -> list[tuple[int, str, bool]]:
        """Return ``(story id, text, canonical?)`` for the canonical copy and every kept copy of each story."""
        ids = list(story_ids)
        canonical = sa.select(stories.c.id, stories.c.text, sa.true()).where(stories.c.id.in_(ids))
        copies = sa.select(sightings.c.story_id, sightings.c.text, sa.false()).where(
            sightings.c.story_id.in_(ids), sightings.c.text.is_not(None)
        )
        with self.engine.connect() as conn:
            return [(row[0], row[1], bool(row[2])) for row in conn.execute(canonical.union_all(copies))]

    # -- writes ----------------------------------------------------------

    def add_story(
        self,
        story: NewStory,
        keys: Iterable[tuple[int, int]],
        lines: dict[str, str],
        capture: WarcLocation | None = None,
    ) -> int:
        """Archive a new story with its original sighting, index buckets, line counts and raw capture; return its id."""
        now = _now()
        with self.engine.begin() as conn:
            story_id = conn.execute(_INSERT_STORY, asdict(story) | {"first_seen": now}).inserted_primary_key[0]
            original = Sighting(story.url, story.site, story.title, "original", 1.0, 1.0, story.published)
            _insert_sighting(conn, story_id, original, capture, now)
            buckets = [{"band": b, "bucket": k, "story_id": story_id} for b, k in keys]
            if buckets:
                conn.execute(lsh_buckets.insert(), buckets)
            self._count_lines(conn, story.site, lines)
        return story_id

    def add_copy(
        self,
        story_id: int,
        copy: NewStory,
        match: str,
        similarity: float,
        containment: float,
        keys: Iterable[tuple[int, int]],
        lines: dict[str, str],
        capture: WarcLocation | None = None,
    ) -> bool:
        """Record another copy of story ``story_id``; return True if it became the canonical copy.

        The copy's index keys join the story's, so later copies are found through
        any copy. The canonical copy is the original: the earliest published; when
        the dates tie or one is missing, the copy that credits no other outlet. A
        copy that is the original by this rule replaces the current one, which
        stays as a sighting with the same similarity. Otherwise the first seen stays.
        """
        now = _now()
        with self.engine.begin() as conn:
            buckets = [{"band": b, "bucket": k, "story_id": story_id} for b, k in keys]
            if buckets:
                conn.execute(_insert_for(conn)(lsh_buckets).on_conflict_do_nothing(), buckets)
            old = conn.execute(sa.select(stories).where(stories.c.id == story_id)).one()
            if not _original_before(copy, old):
                sighting = Sighting(
                    copy.url,
                    copy.site,
                    copy.title,
                    match,
                    similarity,
                    containment,
                    copy.published,
                    copy.text,
                    copy.raw_text,
                    copy.raw_headings,
                )
                _insert_sighting(conn, story_id, sighting, capture, now)
                self._count_lines(conn, copy.site, lines)
                return False
            conn.execute(
                sightings.update()
                .where(sightings.c.url == old.url)
                .values(
                    match=match,
                    similarity=similarity,
                    containment=containment,
                    published=old.published,
                    text=old.text,
                    raw_text=old.raw_text,
                    raw_headings=old.raw_headings,
                )
            )
            conn.execute(stories.update().where(stories.c.id == story_id).values(**asdict(copy)))
            original = Sighting(copy.url, copy.site, copy.title, "original", 1.0, 1.0, copy.published)
            _insert_sighting(conn, story_id, original, capture, now)
            self._count_lines(conn, copy.site, lines)
        logger.info("story %d re-pointed to %s, published earlier than %s", story_id, copy.url, old.url)
        return True

    def add_sighting(
        self, story_id: int, sighting: Sighting, lines: dict[str, str], capture: WarcLocation | None = None
    ) -> None:
        """Record another place where story ``story_id`` was found, with its page's line counts and raw capture."""
        with self.engine.begin() as conn:
            _insert_sighting(conn, story_id, sighting, capture)
            self._count_lines(conn, sighting.site, lines)

    def restore(self, archived_stories: Iterable[ArchivedStory]) -> int:
        """Write exported stories back in one transaction, with their sightings and index buckets; return how many."""
        count = 0
        with self.engine.begin() as conn:
            for archived in archived_stories:
                story = archived.story
                values = dict(asdict(story), first_seen=archived.first_seen)
                story_id = conn.execute(stories.insert().values(**values)).inserted_primary_key[0]
                original = Sighting(story.url, story.site, story.title, "original", 1.0, 1.0, story.published)
                rows = [dict(asdict(original), story_id=story_id, seen=archived.first_seen)]
                rows += [dict(asdict(sighting), story_id=story_id, seen=seen) for sighting, seen in archived.duplicates]
                conn.execute(sightings.insert(), rows)
                if archived.keys:
                    conn.execute(
                        lsh_buckets.insert(), [{"band": b, "bucket": k, "story_id": story_id} for b, k in archived.keys]
                    )
                count += 1
        return count

    def _count_lines(self, conn: Connection, site: str, lines: dict[str, str]) -> None:
        count_page, count_lines = _line_counts(conn.dialect.name)
        conn.execute(count_page, {"site": site, "pages": 1})
        if lines:
            conn.execute(count_lines, [{"site": site, "line_key": k, "line": v, "pages": 1} for k, v in lines.items()])

    # -- boilerplate -----------------------------------------------------

    def learned_lines(self, site: str, min_pages: int, min_ratio: float) -> set[str]:
        """Return the keys of lines seen on at least ``min_pages`` and ``min_ratio`` of ``site``'s pages."""
        with self.engine.connect() as conn:
            total = conn.scalar(sa.select(sites.c.pages).where(sites.c.site == site)) or 0
            needed = max(min_pages, min_ratio * total)
            query = sa.select(site_lines.c.line_key).where(site_lines.c.site == site, site_lines.c.pages >= needed)
            return set(conn.scalars(query))

    def furniture(self, min_pages: int, min_ratio: float) -> set[str]:
        """Return the keys of every site's learned lines: what is furniture on one site is furniture on all.

        Each line is learned on its own site's pages (``learned_lines``); a line on
        many sites' pages but few of each (a syndicated paragraph) is not learned.
        """
        query = (
            sa.select(site_lines.c.line_key)
            .join(sites, sites.c.site == site_lines.c.site)
            .where(site_lines.c.pages >= min_pages, site_lines.c.pages >= min_ratio * sites.c.pages)
            .distinct()
        )
        with self.engine.connect() as conn:
            return set(conn.scalars(query))

    def reclean(
        self, site: str, clean: Callable[..., str], *, with_headings: bool = False, signals: Signer | None = None
    ) -> int:
        """Re-derive the text of ``site``'s stories and copies from their raw text with ``clean``; return how many changed.

        With ``with_headings``, ``clean`` is also given the indexes of the raw text's subhead lines.
        With ``signals``, what derives from a changed text follows it: the story's exact
        fingerprint, and the index keys of every story one of whose copies changed
        (rebuilt from all its texts), so that a later copy matches the clean text.
        """

        def cleaned(row: Any) -> str:
            headings = json.loads(row.raw_headings or "[]")
            return clean(row.raw_text, headings) if with_headings else clean(row.raw_text)

        changed, touched = 0, set()
        with self.engine.begin() as conn:
            query = sa.select(stories.c.id, stories.c.raw_text, stories.c.text, stories.c.raw_headings)
            for row in conn.execute(query.where(stories.c.site == site)).all():
                if (text := cleaned(row)) != row.text:
                    values = {"text": text} | ({"fingerprint": signals(text)[0]} if signals else {})
                    conn.execute(stories.update().where(stories.c.id == row.id).values(**values))
                    changed += 1
                    touched.add(row.id)
            query = sa.select(
                sightings.c.id, sightings.c.story_id, sightings.c.raw_text, sightings.c.text, sightings.c.raw_headings
            )
            for row in conn.execute(query.where(sightings.c.site == site, sightings.c.raw_text.is_not(None))).all():
                if (text := cleaned(row)) != row.text:
                    conn.execute(sightings.update().where(sightings.c.id == row.id).values(text=text))
                    changed += 1
                    touched.add(row.story_id)
            if signals and touched:
                _rekey(conn, sorted(touched), signals)
        return changed

    # -- reading ---------------------------------------------------------

    def iter_stories(
        self, selection: Selection = EVERYTHING, *, duplicates: bool = True, batch: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Yield the selected stories oldest first, each with the other places it was found.

        Reads ``batch`` stories per query (keyset pagination on the id) and their
        duplicates in one more query, so memory stays flat on any archive size.
        """
        after = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(stories)
                    .where(stories.c.id > after, *selection.where())
                    .order_by(stories.c.id)
                    .limit(batch)
                ).all()
                others = self._duplicates(conn, [row.id for row in rows]) if duplicates and rows else {}
            for row in rows:
                story = dict(row._mapping)
                if duplicates:
                    story["duplicates"] = others.get(row.id, [])
                yield story
            if len(rows) < batch:
                return
            after = rows[-1].id

    def _duplicates(self, conn: Connection, story_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        query = (
            sa.select(sightings.c.story_id, *DUPLICATE_COLUMNS)
            .where(sightings.c.story_id.in_(story_ids), sightings.c.match != "original")
            .order_by(sightings.c.id)
        )
        found: dict[int, list[dict[str, Any]]] = {}
        for row in conn.execute(query):
            found.setdefault(row.story_id, []).append({c.name: row._mapping[c.name] for c in DUPLICATE_COLUMNS})
        return found

    def is_empty(self) -> bool:
        """Return True if the archive holds no story and no sighting."""
        with self.engine.connect() as conn:
            return (
                conn.scalar(sa.select(sightings.c.id).limit(1)) is None
                and conn.scalar(sa.select(stories.c.id).limit(1)) is None
            )

    def story_at(self, url: str) -> dict[str, Any] | None:
        """Return the story found at ``url`` (its own URL or a duplicate's) with its duplicates, or None."""
        with self.engine.connect() as conn:
            story_id = conn.scalar(_STORY_OF_URL, {"b_url": url})
            if story_id is None:
                return None
            story = dict(conn.execute(sa.select(stories).where(stories.c.id == story_id)).one()._mapping)
            story["duplicates"] = self._duplicates(conn, [story_id]).get(story_id, [])
            return story

    def capture_of(self, url: str) -> WarcLocation | None:
        """Return where the raw response of the page at ``url`` was recorded, or None."""
        query = (
            sa.select(warc_records.c.warc_file, warc_records.c.warc_offset, warc_records.c.warc_length)
            .join(sightings, sightings.c.id == warc_records.c.sighting_id)
            .where(sightings.c.url == url)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return WarcLocation(*row) if row else None

    def summary(self) -> dict[str, Any]:
        """Return counts of stories and duplicates, overall and per site."""
        with self.engine.connect() as conn:
            per_site = conn.execute(
                sa.select(
                    sightings.c.site,
                    sa.func.count().filter(sightings.c.match == "original").label("stories"),
                    sa.func.count().filter(sightings.c.match != "original").label("duplicates"),
                )
                .group_by(sightings.c.site)
                .order_by(sightings.c.site)
            ).all()
        return {
            "stories": sum(r.stories for r in per_site),
            "duplicates": sum(r.duplicates for r in per_site),
            "sites": [dict(r._mapping) for r in per_site],
        }


def _safe(url: sa.URL) -> str:
    """Return ``url`` for messages: without its password."""
    return url.render_as_string(hide_password=True)


def _insert_sighting(
    conn: Connection, story_id: int, sighting: Sighting, capture: WarcLocation | None, seen: datetime | None = None
) -> None:
    """Insert a sighting of ``story_id`` and the location of its raw capture."""
    row = asdict(sighting) | {"story_id": story_id, "seen": seen or _now()}
    sighting_id = conn.execute(_INSERT_SIGHTING, row).inserted_primary_key[0]
    _add_capture(conn, sighting_id, capture)


def _add_capture(conn: Connection, sighting_id: int, capture: WarcLocation | None) -> None:
    if capture is not None:
        conn.execute(
            _INSERT_CAPTURE,
            {
                "sighting_id": sighting_id,
                "warc_file": capture.path,
                "warc_offset": capture.offset,
                "warc_length": capture.length,
            },
        )


def _rekey(conn: Connection, story_ids: list[int], signals: Signer) -> None:
    """Replace the index keys of ``story_ids`` with those of their texts: canonical, copies, earlier versions."""
    for start in range(0, len(story_ids), 500):
        batch = story_ids[start : start + 500]
        texts = sa.union_all(
            sa.select(stories.c.id, stories.c.text).where(stories.c.id.in_(batch)),
            sa.select(sightings.c.story_id, sightings.c.text).where(
                sightings.c.story_id.in_(batch), sightings.c.text.is_not(None)
            ),
            sa.select(story_versions.c.story_id, story_versions.c.text).where(story_versions.c.story_id.in_(batch)),
        )
        rows = {(story_id, band, key) for story_id, text in conn.execute(texts) for band, key in signals(text)[1]}
        conn.execute(lsh_buckets.delete().where(lsh_buckets.c.story_id.in_(batch)))
        if rows:
            conn.execute(lsh_buckets.insert(), [{"band": b, "bucket": k, "story_id": i} for i, b, k in sorted(rows)])


@lru_cache(maxsize=8)
def _candidates_query(n: int, at_least: int = 1) -> sa.Select[Any]:
    """Return the candidate query for keys of ``n`` bands, built once: one index probe per key."""
    match = sa.or_(
        *(
            sa.and_(
                lsh_buckets.c.band == sa.bindparam(f"b{i}"),
                lsh_buckets.c.bucket.in_(sa.bindparam(f"k{i}", expanding=True)),
            )
            for i in range(n)
        )
    )
    return (
        sa.select(lsh_buckets.c.story_id)
        .where(match)
        .group_by(lsh_buckets.c.story_id)
        .having(sa.func.count() >= at_least)
        .order_by(sa.func.count().desc(), lsh_buckets.c.story_id)
    )


@lru_cache(maxsize=2)
def _line_counts(dialect: str) -> tuple[Any, Any]:
    """Return the upserts counting a page of a site and the lines on it, built once per dialect."""
    insert = insert_on_conflict(dialect)
    page = insert(sites).on_conflict_do_update(index_elements=["site"], set_={"pages": sites.c.pages + 1})
    lines = insert(site_lines).on_conflict_do_update(
        index_elements=["site", "line_key"], set_={"pages": site_lines.c.pages + 1}
    )
    return page, lines


def _published_before(a: str | None, b: str | None) -> bool:
    """Return True if date ``a`` is known and earlier than known date ``b``.

    ISO 8601 strings compare as text; a date without a time is compared with the other's date only.
    """
    if not a or not b:
        return False
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def _original_before(copy: NewStory, current: Any) -> bool:
    """Return True if ``copy`` rather than the ``current`` canonical copy is the story's original.

    The earlier published is; when the dates tie or one is missing, the one that credits no other outlet.
    """
    if _published_before(copy.published, current.published):
        return True
    if _published_before(current.published, copy.published):
        return False
    return bool(current.credit) and not copy.credit


def _insert_for(conn: Connection) -> Callable[..., Any]:
    return insert_on_conflict(conn.dialect.name)


def insert_on_conflict(dialect: str) -> Callable[..., Any]:
    """Return the ``insert`` of the dialect, which has ON CONFLICT; imported on use (PostgreSQL's costs 0.1 s)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # the LSH index is probed at random places: read its pages straight from the OS cache
    cursor.execute("PRAGMA mmap_size=4294967296")
    cursor.close()
