"""Story versions: a changed article becomes the latest text of its story; the text it replaces is kept."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive, NewStory, _insert_for
from storage.schema import lsh_buckets, stories, story_versions

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
    "credit",
)  # migration 0007
_KEPT = ("title", "author", "published", "text", "raw_text", "fingerprint")


#: Built once: asked for every page a crawl extracts.
_STORY_AT = sa.select(stories.c.id).where(stories.c.url == sa.bindparam("b_url"))


def story_at(archive: Archive, url: str) -> int | None:
    """Return the id of the story whose own URL is ``url`` (not a repost of it), if any."""
    with archive.engine.connect() as conn:
        return conn.scalar(_STORY_AT, {"b_url": url})


def revise_story(
    archive: Archive,
    story_id: int,
    story: NewStory,
    keys: Iterable[tuple[int, int]],
    clean: Callable[[str], str],
) -> bool:
    """Make ``story`` the latest version of story ``story_id`` if it changed; return True if it did.

    The stored text is compared after ``clean`` (today's furniture removal) so
    that furniture learned since it was archived does not count as a change.
    The replaced text goes to ``story_versions``; the index keeps the old
    buckets and gains the new ones, so reposts of either version are found.
    """
    with archive.engine.begin() as conn:
        row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).one()
        if clean(row.raw_text) == story.text and row.title == story.title:
            return False
        count = sa.select(sa.func.count()).where(story_versions.c.story_id == story_id)
        version = conn.scalar(count) + 1
        kept = {name: getattr(row, name) for name in _KEPT}
        now = datetime.now(UTC)
        conn.execute(story_versions.insert().values(story_id=story_id, version=version, replaced=now, **kept))
        new = {name: getattr(story, name) for name in _REPLACED}
        conn.execute(stories.update().where(stories.c.id == story_id).values(**new))
        buckets = [{"band": b, "bucket": k, "story_id": story_id} for b, k in keys]
        if buckets:
            conn.execute(_insert_for(conn)(lsh_buckets).on_conflict_do_nothing(), buckets)
    return True


def versions(archive: Archive, story_id: int) -> list[dict[str, Any]]:
    """Return the earlier versions of a story, oldest first (the latest is the story itself)."""
    query = sa.select(story_versions).where(story_versions.c.story_id == story_id).order_by(story_versions.c.version)
    with archive.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
