"""Reading the archive a page at a time, newest first: what a web page or an API call shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.db import as_utc
from storage.read.clusters import cluster
from storage.schema import sightings, stories
from storage.selection import EVERYTHING, Selection


@dataclass(frozen=True)
class StoryRow:
    """One story in a list: its canonical copy and how many other places it ran."""

    id: int
    url: str
    site: str
    title: str | None
    author: str | None
    published: str | None
    first_seen: datetime
    reposts: int


def latest_stories(
    archive: Archive, selection: Selection = EVERYTHING, limit: int = 50, offset: int = 0
) -> list[StoryRow]:
    """Return the selected stories, the most recently archived first (ids follow the order of archiving: no sort)."""
    reposts = (
        sa.select(sa.func.count())
        .where(sightings.c.story_id == stories.c.id, sightings.c.match != "original")
        .scalar_subquery()
    )
    query = (
        sa.select(
            stories.c.id,
            stories.c.url,
            stories.c.site,
            stories.c.title,
            stories.c.author,
            stories.c.published,
            stories.c.first_seen,
            reposts.label("reposts"),
        )
        .where(*selection.where())
        .order_by(stories.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with archive.engine.connect() as conn:
        return [StoryRow(**dict(row._mapping, first_seen=as_utc(row.first_seen))) for row in conn.execute(query)]


def count_stories(archive: Archive, selection: Selection = EVERYTHING) -> int:
    """Return how many stories ``selection`` covers."""
    with archive.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(stories).where(*selection.where())) or 0


def story_by_id(archive: Archive, story_id: int) -> dict[str, Any] | None:
    """Return story ``story_id`` (its row) with ``reposts``, the other places it ran (clusters' copies), or None."""
    with archive.engine.connect() as conn:
        row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
    if row is None:
        return None
    found = cluster(archive, story_id)
    return dict(row._mapping) | {"first_seen": as_utc(row.first_seen), "reposts": found.copies[1:] if found else []}


def story_sites(archive: Archive) -> list[str]:
    """Return every site the archive holds a story of, in order."""
    with archive.engine.connect() as conn:
        return list(conn.scalars(sa.select(stories.c.site).distinct().order_by(stories.c.site)))
