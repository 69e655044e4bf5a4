"""The archive: one object over the database, each of its methods one transaction.

Every write that belongs together — a story, its first sighting, its index keys and
its page's line counts — is one unit; so is the dedup decision about a new
article with its write (:meth:`Archive.add_article`), so that writers in several
processes never archive two copies of one story as two stories. A crawl makes several
such writes in one transaction (:meth:`Archive.writes`), each still whole or absent.
The work is done in the modules by idea: ``db`` (engine, dialect), ``stories``, ``index``,
``furniture``, ``writes``, ``read.stories``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage import furniture, index, stories
from storage.db import begin_writing, open_engine
from storage.index import Signer
from storage.read import stories as story_reads
from storage.selection import EVERYTHING, Selection
from storage.stories import ArchivedStory, Join, Match, NewStory
from storage.warc import WarcLocation
from storage.writes import DedupReads, Writes

logger = logging.getLogger(__name__)


class Archive:
    """One archive database; create it with a path or URL, close it when done.

    Without ``create``, a target that holds no archive yet is refused (ArchiveError) rather than created.
    ``dedup_lock`` off, :meth:`add_article` decides without holding the article's index keys: only
    to show what the lock prevents (two writers archiving copies of one story at once both make a story;
    PostgreSQL only: an SQLite writer holds the database's write lock anyway).
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

    @contextmanager
    def writes(self, keys: Iterable[tuple[int, int]] = ()) -> Iterator[Writes]:
        """Open one transaction for several writes, each its own unit (see :mod:`storage.writes`); commit at the end.

        ``keys`` are the index keys of every article it will write: with the dedup lock (PostgreSQL) they are
        held from its start, all at once (:func:`storage.index.lock_keys`), so two writers of batches never
        wait on each other in a cycle, and a writer of a near-duplicate of any of them waits, then finds its
        story. On SQLite the transaction holds the database's write lock from its start, lock or not.
        """
        with self.engine.begin() as conn:
            begin_writing(conn)
            if self.dedup_lock:
                index.lock_keys(conn, keys)
            writes = Writes(conn)
            yield writes
            writes.counts.write(conn)
        for story_id, join in writes.joins:
            self.join_stories(story_id, join)

    def join_stories(self, story_id: int, join: Join) -> int | None:
        """Make story ``join.story_id`` and story ``story_id`` one story, in a transaction of its own (see
        :func:`storage.stories.join`); return the id that stays, or None if one is gone or the write failed.

        With the dedup lock both stories' index keys are held from its start, as a batch's are:
        a writer of a copy of either waits, then finds the story that stays.
        """
        try:
            with self.engine.begin() as conn:
                begin_writing(conn)
                if self.dedup_lock:
                    index.lock_keys(conn, index.keys_of(conn, [story_id, join.story_id]))
                return stories.join(conn, story_id, join)
        except SQLAlchemyError as exc:  # the copies stay two stories, as they were
            logger.warning("could not join story %d to story %d: %s", join.story_id, story_id, exc)
            return None

    def add_article(
        self,
        story: NewStory,
        keys: list[tuple[int, int]],
        lines: dict[str, str],
        decide: Callable[[DedupReads], Match | None],
        capture: WarcLocation | None = None,
    ) -> tuple[Match | None, bool]:
        """Decide what a new article is and archive it so, in one transaction (see :meth:`Writes.add_article`)."""
        with self.writes(keys) as writes:
            return writes.add_article(story, keys, lines, decide, capture)

    def add_story(
        self,
        story: NewStory,
        keys: Iterable[tuple[int, int]],
        lines: dict[str, str],
        capture: WarcLocation | None = None,
    ) -> int:
        """Archive a new story with its original sighting, index keys, line counts and raw capture; return its id."""
        with self.writes() as writes:
            return writes.add_story(story, keys, lines, capture)

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
        with self.writes() as writes:
            return writes.add_copy(story_id, copy, match, similarity, containment, keys, lines, capture)

    def revise_story(
        self, story_id: int, story: NewStory, keys: Iterable[tuple[int, int]], clean: Callable[[str], str]
    ) -> bool:
        """Make ``story`` the latest version of story ``story_id`` if it changed after ``clean``; return True if it
        did (see :func:`storage.stories.revise`)."""
        with self.writes() as writes:
            return writes.revise_story(story_id, story, keys, clean)

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
