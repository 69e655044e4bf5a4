"""Reading the archive's clusters: a story's canonical copy and every other place it ran."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from storage.archive import Archive
from storage.db import as_utc
from storage.schema import sightings, stories


@dataclass(frozen=True)
class Copy:
    """One place a story ran: ``match`` is 'original' for the canonical copy, else 'exact' or 'near'."""

    url: str
    site: str
    title: str | None
    published: str | None
    seen: datetime
    match: str
    similarity: float
    containment: float


@dataclass(frozen=True)
class Cluster:
    """A story with more than one copy; ``copies`` holds the canonical one first."""

    story_id: int
    copies: list[Copy] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """An archived URL with its text and the story it belongs to."""

    url: str
    site: str
    story_id: int
    match: str
    similarity: float
    containment: float
    text: str | None  # None for a copy archived before copies kept their text


def clusters(
    archive: Archive, site: str | None = None, since: datetime | None = None, limit: int | None = None, offset: int = 0
) -> list[Cluster]:
    """Return the stories found in more than one place, biggest first (``limit`` of them after ``offset``).

    ``site`` keeps the clusters with a copy on that site, ``since`` those with a copy seen at or after it.
    """
    sizes = (
        sa.select(sightings.c.story_id, sa.func.count().label("copies"))
        .group_by(sightings.c.story_id)
        .having(sa.func.count() > 1)
        .order_by(sa.func.count().desc(), sightings.c.story_id)
        .limit(limit)
        .offset(offset)
    )
    if site is not None:
        sizes = sizes.having(sa.func.count().filter(sightings.c.site == site) > 0)
    if since is not None:
        sizes = sizes.having(sa.func.max(sightings.c.seen) >= since)
    return _read_clusters(archive, sizes.subquery())


def cluster(archive: Archive, story_id: int) -> Cluster | None:
    """Return story ``story_id`` with every place it ran (canonical copy first), or None if there is no such story.

    A story found in one place only is a cluster of one copy.
    """
    sizes = (
        sa.select(sightings.c.story_id, sa.func.count().label("copies"))
        .where(sightings.c.story_id == story_id)
        .group_by(sightings.c.story_id)
        .subquery()
    )
    found = _read_clusters(archive, sizes)
    return found[0] if found else None


def _read_clusters(archive: Archive, sizes: sa.Subquery) -> list[Cluster]:
    """Return the clusters of the stories in ``sizes`` (story_id, copies), biggest first, canonical copy on top."""
    query = (
        sa.select(sightings, sizes.c.copies)
        .join(sizes, sizes.c.story_id == sightings.c.story_id)
        .order_by(sizes.c.copies.desc(), sightings.c.story_id, (sightings.c.match != "original"), sightings.c.id)
    )
    found: dict[int, Cluster] = {}
    with archive.engine.connect() as conn:
        for row in conn.execute(query):
            found.setdefault(row.story_id, Cluster(row.story_id)).copies.append(
                Copy(
                    row.url,
                    row.site,
                    row.title,
                    row.published,
                    as_utc(row.seen),
                    row.match,
                    row.similarity,
                    row.containment,
                )
            )
    return list(found.values())


def page(archive: Archive, url: str) -> Page | None:
    """Return the archived page at ``url`` (a canonical copy or another sighting), or None."""
    query = (
        sa.select(
            sightings,
            sa.case((sightings.c.match == "original", stories.c.text), else_=sightings.c.text).label("page_text"),
        )
        .join(stories, stories.c.id == sightings.c.story_id)
        .where(sightings.c.url == url)
    )
    with archive.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return Page(row.url, row.site, row.story_id, row.match, row.similarity, row.containment, row.page_text)
