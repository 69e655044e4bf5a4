"""Stories and their copies: writing a new story, another copy of one, a new version, a re-cleaned text, two stories
found to be one.

One row per story holds its canonical copy (the original: the earliest published);
every URL it was found at is a sighting, the canonical one included (match
'original'). A changed article becomes the story's latest text; the text it
replaces is kept in ``story_versions``. Each write keeps the story's index keys
in step (``storage.index``); the caller gives the transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import index
from storage.db import inserted_id, now
from storage.index import Signer
from storage.schema import sightings, stories, story_versions, warc_records
from storage.warc import WarcLocation

logger = logging.getLogger(__name__)
#: Stories (or copies) a re-cleaning reads at once.
RECLEAN_BATCH = 500


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
    #: the page ended mid-document: a whole copy of it, when one is fetched, replaces this one
    incomplete: bool = False


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


@dataclass(frozen=True)
class Match:
    """What dedup decided a new article is: a copy of story ``story_id``, found how (``match``: 'exact', 'near')."""

    story_id: int
    match: str
    similarity: float = 1.0
    containment: float = 1.0
    #: other stories the article is also a copy of, so one story with ``story_id`` (see :func:`join`)
    joins: tuple[Join, ...] = ()


@dataclass(frozen=True)
class Join:
    """Story ``story_id`` is the same story as the one a new article was matched to, as that article showed.

    Two copies too unlike to match each other (one with its own lines first, one cut short)
    each became a story; a third (their original) is a copy of both. ``similarity`` and
    ``containment`` are those of the two stories' canonical copies.
    """

    story_id: int
    similarity: float
    containment: float


@dataclass(frozen=True)
class ArchivedStory:
    """A story read back from an export: written again with its own timestamps and its duplicates."""

    story: NewStory
    first_seen: datetime
    keys: list[tuple[int, int]]
    duplicates: list[tuple[Sighting, datetime]]


#: Fields of a story that a new version replaces (``first_seen`` and the URL stay).
_REPLACED = (
    "title",
    "author",
    "published",
    "language",
    "sitename",
    "text",
    "raw_text",
    "fingerprint",
    # story metadata of migration 0004, raw_headings in step with raw_text
    "authors",
    "updated",
    "canonical_url",
    "section",
    "tags",
    "image",
    "description",
    "jsonld",
    "raw_headings",
    "credit",  # migration 0007
    "incomplete",  # migration 0011
)
#: Fields of the replaced text an earlier version keeps.
_KEPT = ("title", "author", "published", "text", "raw_text", "fingerprint")

#: The lookups and inserts of every crawled article, built once: building a statement costs more than running it.
_STORY_OF_URL = sa.select(sightings.c.story_id).where(sightings.c.url == sa.bindparam("b_url"))
_CANONICAL_STORY = sa.select(stories.c.id).where(stories.c.url == sa.bindparam("b_url"))
_STORY_BY_FINGERPRINT = sa.select(stories.c.id).where(stories.c.fingerprint == sa.bindparam("b_fingerprint")).limit(1)
_INSERT_STORY = stories.insert()
_INSERT_SIGHTING = sightings.insert()
_INSERT_CAPTURE = warc_records.insert()
_COPY_TEXTS = sa.union_all(
    sa.select(stories.c.id, stories.c.text, sa.true()).where(stories.c.id.in_(sa.bindparam("b_ids", expanding=True))),
    sa.select(sightings.c.story_id, sightings.c.text, sa.false()).where(
        sightings.c.story_id.in_(sa.bindparam("b_copy_ids", expanding=True)), sightings.c.text.is_not(None)
    ),
)
_STORY = sa.select(stories).where(stories.c.id == sa.bindparam("b_id"))


# -- lookups -------------------------------------------------------------


def story_of_url(conn: Connection, url: str) -> int | None:
    """Return the story ``url`` is archived under (as its canonical copy or another sighting), if any."""
    return conn.scalar(_STORY_OF_URL, {"b_url": url})


def canonical_story(conn: Connection, url: str) -> int | None:
    """Return the story whose canonical copy is at ``url`` (not one that ``url`` is a repost of), if any."""
    return conn.scalar(_CANONICAL_STORY, {"b_url": url})


def is_incomplete(conn: Connection, story_id: int) -> bool:
    """Return True if story ``story_id`` holds the text of a page cut short."""
    return bool(conn.scalar(sa.select(stories.c.incomplete).where(stories.c.id == story_id)))


def story_by_fingerprint(conn: Connection, fingerprint: str) -> int | None:
    """Return a story whose canonical text has this exact fingerprint, if any."""
    return conn.scalar(_STORY_BY_FINGERPRINT, {"b_fingerprint": fingerprint})


def copy_texts(conn: Connection, story_ids: Iterable[int]) -> list[tuple[int, str, bool]]:
    """Return ``(story id, text, canonical?)`` for the canonical copy and every kept copy of each story."""
    ids = list(story_ids)
    return [(row[0], row[1], bool(row[2])) for row in conn.execute(_COPY_TEXTS, {"b_ids": ids, "b_copy_ids": ids})]


def capture_of(conn: Connection, url: str) -> WarcLocation | None:
    """Return where the raw response of the page at ``url`` was recorded, or None."""
    query = (
        sa.select(warc_records.c.warc_file, warc_records.c.warc_offset, warc_records.c.warc_length)
        .join(sightings, sightings.c.id == warc_records.c.sighting_id)
        .where(sightings.c.url == url)
    )
    row = conn.execute(query).first()
    return WarcLocation(*row) if row else None


# -- writes --------------------------------------------------------------


def add_story(
    conn: Connection, story: NewStory, keys: Iterable[tuple[int, int]], capture: WarcLocation | None = None
) -> int:
    """Archive a new story with its original sighting, index keys and raw capture; return its id."""
    seen = now()
    story_id = inserted_id(conn.execute(_INSERT_STORY, asdict(story) | {"first_seen": seen}))
    _insert_sighting(conn, story_id, _original(story), capture, seen)
    index.insert_keys(conn, story_id, keys)
    return story_id


def add_copy(
    conn: Connection,
    story_id: int,
    copy: NewStory,
    match: str,
    similarity: float,
    containment: float,
    keys: Iterable[tuple[int, int]],
    capture: WarcLocation | None = None,
) -> bool:
    """Record another copy of story ``story_id``; return True if it became the canonical copy.

    The copy's index keys join the story's, so later copies are found through
    any copy. The canonical copy is the original: the earliest published; when
    the dates tie or one is missing, the copy that credits no other outlet. A
    copy that is the original by this rule replaces the current one, which
    stays as a sighting with the same similarity. Otherwise the first seen stays.
    """
    seen = now()
    index.join_keys(conn, story_id, keys)
    old = conn.execute(_STORY, {"b_id": story_id}).one()
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
        _insert_sighting(conn, story_id, sighting, capture, seen)
        return False
    _demote(conn, old, match, similarity, containment)
    conn.execute(stories.update().where(stories.c.id == story_id).values(**asdict(copy)))
    _insert_sighting(conn, story_id, _original(copy), capture, seen)
    logger.info("story %d re-pointed to %s, published earlier than %s", story_id, copy.url, old.url)
    return True


def join(conn: Connection, story_id: int, other: Join) -> int | None:
    """Make story ``other.story_id`` and story ``story_id`` one story; return the id that stays (None: one is gone).

    The story whose canonical copy is the original (:func:`_original_before`) stays;
    the other's canonical copy becomes one of its sightings, a near match, and its other
    sightings, earlier versions and index keys move with it.
    """
    rows = {row.id: row for row in conn.execute(sa.select(stories).where(stories.c.id.in_((story_id, other.story_id))))}
    if len(rows) < 2 or story_id == other.story_id:
        return None
    stays, goes = rows[story_id], rows[other.story_id]
    if _original_before(goes, stays):
        stays, goes = goes, stays
    _demote(conn, goes, "near", other.similarity, other.containment)
    conn.execute(sightings.update().where(sightings.c.story_id == goes.id).values(story_id=stays.id))
    versions = conn.scalar(sa.select(sa.func.count()).where(story_versions.c.story_id == stays.id)) or 0
    conn.execute(
        story_versions.update()
        .where(story_versions.c.story_id == goes.id)
        .values(story_id=stays.id, version=story_versions.c.version + versions)
    )
    index.move_keys(conn, goes.id, stays.id)
    conn.execute(stories.delete().where(stories.c.id == goes.id))
    logger.info("story %d joined story %d: %s and %s are copies of one story", goes.id, stays.id, goes.url, stays.url)
    return int(stays.id)


def revise(
    conn: Connection,
    story_id: int,
    story: NewStory,
    keys: Iterable[tuple[int, int]],
    clean: Callable[[str], str],
) -> bool:
    """Make ``story`` the latest version of story ``story_id`` if it changed; return True if it did.

    The stored and the new raw text are compared after ``clean`` (today's furniture
    removal): furniture learned since either was cleaned (the stored one when it was
    archived, the new one as the crawl learned so far) does not count as a change.
    The replaced text goes to ``story_versions``; the index keeps the old
    keys and gains the new ones, so reposts of either version are found.
    A copy cut short never replaces a whole one; a whole copy replaces one cut short.
    """
    row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).one()
    if story.incomplete and not row.incomplete:
        return False
    if clean(row.raw_text) == clean(story.raw_text) and row.title == story.title and story.incomplete == row.incomplete:
        return False
    earlier = conn.scalar(sa.select(sa.func.count()).where(story_versions.c.story_id == story_id)) or 0
    kept = {name: getattr(row, name) for name in _KEPT}
    conn.execute(story_versions.insert().values(story_id=story_id, version=earlier + 1, replaced=now(), **kept))
    conn.execute(stories.update().where(stories.c.id == story_id).values(**{n: getattr(story, n) for n in _REPLACED}))
    index.join_keys(conn, story_id, keys)
    return True


def reclean(conn: Connection, site: str, clean: Callable[[str, list[int]], str], sign: Signer) -> int:
    """Re-derive the text of ``site``'s stories and copies from their raw text with ``clean``; return how many changed.

    ``clean`` is given the raw text and the indexes of its subhead lines. What derives
    from a changed text follows it: the story's exact fingerprint, and the index keys of
    every story one of whose copies changed (rebuilt from all its texts with ``sign``),
    so that a later copy matches the clean text. Rows are read RECLEAN_BATCH at a time:
    a site's whole archive never sits in memory.
    """
    changed, touched = 0, set()
    query = sa.select(stories.c.id, stories.c.raw_text, stories.c.text, stories.c.raw_headings)
    for row in _batches(conn, query.where(stories.c.site == site), stories.c.id):
        if (text := _cleaned(row, clean)) != row.text:
            conn.execute(stories.update().where(stories.c.id == row.id).values(text=text, fingerprint=sign(text)[0]))
            changed += 1
            touched.add(row.id)
    copies = sa.select(
        sightings.c.id, sightings.c.story_id, sightings.c.raw_text, sightings.c.text, sightings.c.raw_headings
    ).where(sightings.c.site == site, sightings.c.raw_text.is_not(None))
    for copy in _batches(conn, copies, sightings.c.id):
        if (text := _cleaned(copy, clean)) != copy.text:
            conn.execute(sightings.update().where(sightings.c.id == copy.id).values(text=text))
            changed += 1
            touched.add(copy.story_id)
    if touched:
        index.rekey(conn, sorted(touched), sign)
    return changed


def _batches(conn: Connection, query: sa.Select[Any], key: sa.Column[int]) -> Iterator[Any]:
    """Yield the rows of ``query`` in order of ``key``, fetched RECLEAN_BATCH at a time (keyset pagination)."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = conn.execute(page.order_by(key).limit(RECLEAN_BATCH)).all()
        yield from rows
        if len(rows) < RECLEAN_BATCH:
            return
        last = getattr(rows[-1], key.name)


def restore(conn: Connection, archived_stories: Iterable[ArchivedStory]) -> int:
    """Write exported stories back, with their sightings and index keys; return how many."""
    count = 0
    for archived in archived_stories:
        story = archived.story
        values = dict(asdict(story), first_seen=archived.first_seen)
        story_id = inserted_id(conn.execute(stories.insert().values(**values)))
        rows = [dict(asdict(_original(story)), story_id=story_id, seen=archived.first_seen)]
        rows += [dict(asdict(sighting), story_id=story_id, seen=seen) for sighting, seen in archived.duplicates]
        conn.execute(sightings.insert(), rows)
        index.insert_keys(conn, story_id, archived.keys)
        count += 1
    return count


def _cleaned(row: Any, clean: Callable[[str, list[int]], str]) -> str:
    return clean(row.raw_text, json.loads(row.raw_headings or "[]"))


def _original(story: NewStory) -> Sighting:
    """Return the sighting of a story's canonical copy."""
    return Sighting(story.url, story.site, story.title, "original", 1.0, 1.0, story.published)


def _demote(conn: Connection, canonical: Any, match: str, similarity: float, containment: float) -> None:
    """Make the sighting of story row ``canonical``'s canonical copy another copy: matched so, with its own text."""
    conn.execute(
        sightings.update()
        .where(sightings.c.url == canonical.url)
        .values(
            match=match,
            similarity=similarity,
            containment=containment,
            published=canonical.published,
            text=canonical.text,
            raw_text=canonical.raw_text,
            raw_headings=canonical.raw_headings,
        )
    )


def _insert_sighting(
    conn: Connection, story_id: int, sighting: Sighting, capture: WarcLocation | None, seen: datetime
) -> None:
    """Insert a sighting of ``story_id`` and the location of its raw capture."""
    row = asdict(sighting) | {"story_id": story_id, "seen": seen}
    sighting_id = inserted_id(conn.execute(_INSERT_SIGHTING, row))
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


def _published_before(a: str | None, b: str | None) -> bool:
    """Return True if date ``a`` is known and earlier than known date ``b``.

    ISO 8601 strings compare as text; a date without a time is compared with the other's date only.
    """
    if not a or not b:
        return False
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def _original_before(copy: Any, current: Any) -> bool:
    """Return True if ``copy`` rather than the ``current`` canonical copy is the story's original.

    The earlier published is; when the dates tie or one is missing, the one that credits no other outlet.
    """
    if _published_before(copy.published, current.published):
        return True
    if _published_before(current.published, copy.published):
        return False
    return bool(current.credit) and not copy.credit
