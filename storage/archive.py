"""The archive: one object over the database, each of its methods one transaction.

Every write that belongs together — a story, its first sighting, its index keys and
its page's line counts — is one transaction; so is the dedup decision about a new
article with its write (:meth:`Archive.add_article`), so that writers in several
processes never archive two copies of one story as two stories. The work is done in the modules by
idea: ``db`` (engine, dialect), ``stories``, ``index``, ``furniture``, ``read.stories``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy.engine import Connection, Engine

from storage import furniture, index, stories
from storage.db import open_engine
from storage.index import Signer
from storage.read import stories as story_reads
from storage.selection import EVERYTHING, Selection
from storage.stories import ArchivedStory, Match, NewStory
from storage.warc import WarcLocation


class Archive:
    """One archive database; create it with a path or URL, close it when done.

    Without ``create``, a target that holds no archive yet is refused (ArchiveError) rather than created.
    ``dedup_lock`` off, :meth:`add_article` decides without holding the article's index keys: only
    to show what the lock prevents (two writers archiving copies of one story at once both make a story).
    """

    def __init__(self, target: str, *, create: bool = True, dedup_lock: bool = True) -> None:
        self.engine: Engine = open_engine(target, create=create)
        self.dedup_lock = dedup_lock

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the dedup index -------------------------------------------------

    def ensure_index_params(self, params: dict[str, Any], rebuild: Signer | None = None) -> None:
        """Record the dedup parameters on first use; refuse others later (see :func:`storage.index.check_params`)."""
        with self.engine.begin() as conn:
            index.check_params(conn, params, rebuild)

    def candidates(self, keys: Iterable[tuple[int, int]], at_least: int = 1) -> list[int]:
        """Return the stories sharing ``at_least`` index keys ``(band, bucket)`` with ``keys``, most shared first."""
        with self.engine.connect() as conn:
            return index.candidates(conn, keys, at_least)

    # -- lookups ---------------------------------------------------------

    def story_of_url(self, url: str) -> int | None:
        """Return the story ``url`` is archived under (as its canonical copy or another sighting), if any."""
        with self.engine.connect() as conn:
            return stories.story_of_url(conn, url)

    def canonical_story(self, url: str) -> int | None:
        """Return the story whose canonical copy is at ``url`` (not one that ``url`` is a repost of), if any."""
        with self.engine.connect() as conn:
            return stories.canonical_story(conn, url)

    def story_by_fingerprint(self, fingerprint: str) -> int | None:
        with self.engine.connect() as conn:
            return stories.story_by_fingerprint(conn, fingerprint)

    def copy_texts(self, story_ids: Iterable[int]) -> list[tuple[int, str, bool]]:
        """Return ``(story id, text, canonical?)`` for the canonical copy and every kept copy of each story."""
        with self.engine.connect() as conn:
            return stories.copy_texts(conn, story_ids)

    def capture_of(self, url: str) -> WarcLocation | None:
        """Return where the raw response of the page at ``url`` was recorded, or None."""
        with self.engine.connect() as conn:
            return stories.capture_of(conn, url)

    # -- writes ----------------------------------------------------------

    def add_article(
        self,
        story: NewStory,
        keys: list[tuple[int, int]],
        lines: dict[str, str],
        decide: Callable[[DedupReads], Match | None],
        capture: WarcLocation | None = None,
    ) -> tuple[Match | None, bool]:
        """Decide what a new article is and archive it so, in one transaction; return the decision and whether the
        article became its story's canonical copy.

        ``decide`` reads the archive through the :class:`DedupReads` it is given and returns the story the
        article is a copy of, or None for a new story. The transaction first holds the article's index keys
        (:func:`storage.index.lock_keys`): a writer of a near-duplicate waits, then finds this article's story.
        """
        with self.engine.begin() as conn:
            if self.dedup_lock:
                index.lock_keys(conn, keys)
            match = decide(DedupReads(conn))
            if match is None:
                stories.add_story(conn, story, keys, capture)
                repointed = False
            else:
                repointed = stories.add_copy(
                    conn, match.story_id, story, match.match, match.similarity, match.containment, keys, capture
                )
            furniture.count_lines(conn, story.site, lines)
        return match, repointed

    def add_story(
        self,
        story: NewStory,
        keys: Iterable[tuple[int, int]],
        lines: dict[str, str],
        capture: WarcLocation | None = None,
    ) -> int:
        """Archive a new story with its original sighting, index keys, line counts and raw capture; return its id."""
        with self.engine.begin() as conn:
            story_id = stories.add_story(conn, story, keys, capture)
            furniture.count_lines(conn, story.site, lines)
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
        with self.engine.begin() as conn:
            repointed = stories.add_copy(conn, story_id, copy, match, similarity, containment, keys, capture)
            furniture.count_lines(conn, copy.site, lines)
        return repointed

    def revise_story(
        self, story_id: int, story: NewStory, keys: Iterable[tuple[int, int]], clean: Callable[[str], str]
    ) -> bool:
        """Make ``story`` the latest version of story ``story_id`` if it changed after ``clean``; return True if it
        did (see :func:`storage.stories.revise`)."""
        with self.engine.begin() as conn:
            return stories.revise(conn, story_id, story, keys, clean)

    def is_incomplete(self, story_id: int) -> bool:
        """Return True if story ``story_id`` was archived from a page cut short and no whole copy replaced it yet."""
        with self.engine.connect() as conn:
            return stories.is_incomplete(conn, story_id)

    def reclean(self, site: str, clean: Callable[[str, list[int]], str], *, signals: Signer) -> int:
        """Re-derive the texts of ``site``'s stories and copies with ``clean`` (raw text, subhead line indexes),
        their fingerprints and index keys with ``signals``; return how many changed."""
        with self.engine.begin() as conn:
            return stories.reclean(conn, site, clean, signals)

    def restore(self, archived_stories: Iterable[ArchivedStory]) -> int:
        """Write exported stories back in one transaction, with their sightings and index keys; return how many."""
        with self.engine.begin() as conn:
            return stories.restore(conn, archived_stories)

    # -- furniture -------------------------------------------------------

    def learned_lines(self, site: str, min_pages: int, min_ratio: float) -> set[str]:
        """Return the keys of lines seen on at least ``min_pages`` and ``min_ratio`` of ``site``'s pages."""
        with self.engine.connect() as conn:
            return furniture.learned_lines(conn, site, min_pages, min_ratio)

    def furniture(self, min_pages: int, min_ratio: float) -> set[str]:
        """Return the keys of every site's learned lines: what is furniture on one site is furniture on all."""
        with self.engine.connect() as conn:
            return furniture.furniture(conn, min_pages, min_ratio)

    # -- reading ---------------------------------------------------------

    def iter_stories(
        self, selection: Selection = EVERYTHING, *, duplicates: bool = True, batch: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Yield the selected stories oldest first, each with the other places it was found, ``batch`` at a time."""
        return story_reads.iter_stories(self.engine, selection, duplicates, batch)

    def story_at(self, url: str) -> dict[str, Any] | None:
        """Return the story found at ``url`` (its own URL or a duplicate's) with its duplicates, or None."""
        with self.engine.connect() as conn:
            return story_reads.story_at(conn, url)

    def is_empty(self) -> bool:
        """Return True if the archive holds no story and no sighting."""
        with self.engine.connect() as conn:
            return story_reads.is_empty(conn)

    def summary(self) -> dict[str, Any]:
        """Return counts of stories and duplicates, overall and per site."""
        with self.engine.connect() as conn:
            held = story_reads.held(conn)
        return {
            "stories": sum(count for count, _ in held.values()),
            "duplicates": sum(count for _, count in held.values()),
            "sites": [{"site": site, "stories": count, "duplicates": copies} for site, (count, copies) in held.items()],
        }


class DedupReads:
    """What a dedup decision reads, inside the transaction that writes its outcome (see :meth:`Archive.add_article`)."""

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
