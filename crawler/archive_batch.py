"""Archive writes that wait to share one transaction: a commit and its statements per article cost the crawl more.

The store pipeline hands each article's write to the batch and awaits its result.
The batch is written in one transaction (:meth:`storage.Archive.writes`) when it holds
``size`` writes, ``delay`` seconds after its first, or when flushed; each write is
still its own unit there, and its result comes back only once the transaction has
committed, so nothing downstream (the fetch log) learns of a write that a kill undoes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from crawler import settings as defaults
from crawler.errors import InvalidField
from crawler.extensions.archive_guard import DATABASE_FAILURES
from storage import Archive, Writes

R = TypeVar("R")


@dataclass(frozen=True)
class BatchConfig:
    """When a batch of archive writes is written; defaults are the ``ARCHIVE_BATCH_*`` settings."""

    #: writes per transaction (1: one transaction per article)
    size: int = defaults.ARCHIVE_BATCH_SIZE
    #: seconds a batch waits after its first write for more
    delay: float = defaults.ARCHIVE_BATCH_DELAY

    def __post_init__(self) -> None:
        if self.size < 1:
            raise InvalidField("size", f"size must be 1 or more, got {self.size!r}")
        if self.delay < 0:
            raise InvalidField("delay", f"delay must be 0 or more, got {self.delay!r}")


class ArchiveBatch:
    """The writes waiting for their transaction; each gets a future of its result, or of the exception it raised.

    A write that fails is rolled back alone (its savepoint) and its future gets the error;
    when the database itself fails (:data:`DATABASE_FAILURES`: server gone, disk full) the
    transaction is lost, and every write's future gets that error.
    """

    def __init__(self, archive: Archive, config: BatchConfig) -> None:
        self.archive = archive
        self.config = config
        self._pending: list[tuple[Iterable[tuple[int, int]], Callable[[Writes], Any], asyncio.Future[Any]]] = []
        self._timer: asyncio.TimerHandle | None = None

    def add(self, keys: Iterable[tuple[int, int]], write: Callable[[Writes], R]) -> asyncio.Future[R]:
        """Queue ``write`` of an article with index ``keys`` (held from the transaction's start); return its future."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((keys, write, future))
        if len(self._pending) >= self.config.size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.config.delay, self.flush)
        return future

    def flush(self) -> None:
        """Write the queued writes in one transaction, in the order they came, then settle their futures."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        outcomes: list[tuple[Any, Exception | None]] = []
        try:
            with self.archive.writes(key for keys, _, _ in pending for key in keys) as writes:
                for _, write, _ in pending:
                    try:
                        outcomes.append((write(writes), None))
                    except DATABASE_FAILURES:  # the database itself failed: the transaction is lost
                        raise
                    except Exception as exc:  # its savepoint is rolled back; the others stay
                        outcomes.append((None, exc))
        except Exception as exc:  # the transaction itself failed: nothing of it was kept
            outcomes = [(None, exc)] * len(pending)
        for (_, _, future), (result, error) in zip(pending, outcomes):
            if future.done():  # cancelled: the crawl stopped waiting for it
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
