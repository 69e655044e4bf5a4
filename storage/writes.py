"""The writes of one transaction (:meth:`storage.Archive.writes`), each its own unit: a savepoint of its own.

A crawl writes several articles per transaction (a commit per article costs more than
the article); each write is still whole or absent. One that fails (the same URL twice)
rolls back to its savepoint, alone; the others commit. Each write sees those before it
in the transaction: a copy of a story written earlier in it finds that story.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.engine import Connection

from storage import index, stories
from storage.furniture import LineCounts
from storage.stories import Join, Match, NewStory
from storage.warc import WarcLocation


class Writes:
    """Archive writes inside one open transaction; the page and line counts are written when it ends."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.counts = LineCounts()
        #: stories found to be one by an article written here, joined once this transaction has committed
        self.joins: list[tuple[int, Join]] = []

    def add_article(
        self,
        story: NewStory,
        keys: list[tuple[int, int]],
        lines: dict[str, str],
        decide: Callable[[DedupReads], Match | None],
        capture: WarcLocation | None = None,
    ) -> tuple[Match | None, bool]:
        """Decide what a new article is and archive it so; return the decision and whether the article became its
        story's canonical copy.

        ``decide`` reads the archive through the :class:`DedupReads` it is given and returns the story the
        article is a copy of, or None for a new story. Its index keys must be held
        (:meth:`storage.Archive.writes`): a writer of a near-duplicate waits, then finds this article's story.
        """
        with self.conn.begin_nested():
            match = decide(DedupReads(self.conn))
            if match is None:
                stories.add_story(self.conn, story, keys, capture)
                repointed = False
            else:
                repointed = stories.add_copy(
                    self.conn, match.story_id, story, match.match, match.similarity, match.containment, keys, capture
                )
                self.joins += [(match.story_id, join) for join in match.joins]
        self.counts.add(story.site, lines)
        return match, repointed

    def add_story(
        self,
        story: NewStory,
        keys: Iterable[tuple[int, int]],
        lines: dict[str, str],
        capture: WarcLocation | None = None,
    ) -> int:
        """Archive a new story with its original sighting, index keys, line counts and raw capture; return its id."""
        with self.conn.begin_nested():
            story_id = stories.add_story(self.conn, story, keys, capture)
        self.counts.add(story.site, lines)
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
        """Record another copy of story ``story_id`` with its page's line counts; return True if it became the
        canonical copy (see :func:`storage.stories.add_copy`)."""
        with self.conn.begin_nested():
            repointed = stories.add_copy(self.conn, story_id, copy, match, similarity, containment, keys, capture)
        self.counts.add(copy.site, lines)
        return repointed

    def revise_story(
        self, story_id: int, story: NewStory, keys: Iterable[tuple[int, int]], clean: Callable[[str], str]
    ) -> bool:
        """Make ``story`` the latest version of story ``story_id`` if it changed after ``clean``; return True if it
        did (see :func:`storage.stories.revise`)."""
        with self.conn.begin_nested():
            return stories.revise(self.conn, story_id, story, keys, clean)


class DedupReads:
    """What a dedup decision reads, inside the transaction that writes its outcome (see :meth:`Writes.add_article`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def story_by_fingerprint(self, fingerprint: str) -> int | None:
        """Return a story whose canonical text has this exact fingerprint, if any."""
        return stories.story_by_fingerprint(self.conn, fingerprint)

    def candidates(self, keys: Iterable[tuple[int, int]], at_least: int = 1) -> list[int]:
        """Return the stories sharing ``at_least`` index keys with ``keys``, most shared first."""
        return index.candidates(self.conn, keys, at_least)

    def copy_texts(self, story_ids: Iterable[int]) -> list[tuple[int, str, bool]]:
        """Return ``(story id, text, canonical?)`` for the canonical copy and every kept copy of each story."""
        return stories.copy_texts(self.conn, story_ids)
