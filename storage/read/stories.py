"""Reading stories whole: every selected one in order with its duplicates (an export), the one at a URL, and
how many stories and duplicates each site holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from storage.schema import sightings, stories
from storage.selection import Selection
from storage.stories import story_of_url

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


def iter_stories(engine: Engine, selection: Selection, duplicates: bool, batch: int) -> Iterator[dict[str, Any]]:
    """Yield the selected stories oldest first, each with the other places it was found.

    Reads ``batch`` stories per query (keyset pagination on the id) and their
    duplicates in one more query, so memory stays flat on any archive size.
    """
    after = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(stories).where(stories.c.id > after, *selection.where()).order_by(stories.c.id).limit(batch)
            ).all()
            others = duplicates_of(conn, [row.id for row in rows]) if duplicates and rows else {}
        for row in rows:
            story = dict(row._mapping)
            if duplicates:
                story["duplicates"] = others.get(row.id, [])
            yield story
        if len(rows) < batch:
            return
        after = rows[-1].id


def duplicates_of(conn: Connection, story_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Return the other places each of ``story_ids`` was found (its sightings but the original), in order seen."""
    query = (
        sa.select(sightings.c.story_id, *DUPLICATE_COLUMNS)
        .where(sightings.c.story_id.in_(story_ids), sightings.c.match != "original")
        .order_by(sightings.c.id)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(query):
        found.setdefault(row.story_id, []).append({c.name: row._mapping[c.name] for c in DUPLICATE_COLUMNS})
    return found


def story_at(conn: Connection, url: str) -> dict[str, Any] | None:
    """Return the story found at ``url`` (its own URL or a duplicate's) with its duplicates, or None."""
    story_id = story_of_url(conn, url)
    if story_id is None:
        return None
    story = dict(conn.execute(sa.select(stories).where(stories.c.id == story_id)).one()._mapping)
    story["duplicates"] = duplicates_of(conn, [story_id]).get(story_id, [])
    return story


def is_empty(conn: Connection) -> bool:
    """Return True if the archive holds no story and no sighting."""
    return (
        conn.scalar(sa.select(sightings.c.id).limit(1)) is None
        and conn.scalar(sa.select(stories.c.id).limit(1)) is None
    )


def held(conn: Connection) -> dict[str, tuple[int, int]]:
    """Return (stories, duplicates) per site, by site: its canonical copies and its copies of stories."""
    query = (
        sa.select(
            sightings.c.site,
            sa.func.count().filter(sightings.c.match == "original"),
            sa.func.count().filter(sightings.c.match != "original"),
        )
        .group_by(sightings.c.site)
        .order_by(sightings.c.site)
    )
    return {site: (originals, copies) for site, originals, copies in conn.execute(query)}
