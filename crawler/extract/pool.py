"""Extraction in worker processes, so that parsing pages never blocks the crawl's event loop.

A pebble process pool (one worker per core by default) runs the extraction
function; a semaphore bounds the pages in flight, which holds the crawl back
(Scrapy keeps responses in its scraper slot until their items are processed).
A page that hangs a worker is cut off at the timeout and its worker replaced;
a worker that dies takes only its page with it. ``run`` (any picklable task)
raises WorkerFailed for both; the extract pipeline turns it into the page's outcome.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from crawler import settings as defaults
from crawler.errors import InvalidField

T = TypeVar("T")


class WorkerFailed(Exception):
    """A task got no result: ``reason`` is ``timeout`` or ``error``, ``detail`` says more."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class PoolConfig:
    """How extraction is spread over processes; defaults are the ``EXTRACT_*`` settings (crawler/settings.py)."""

    #: worker processes; 0 extracts in the calling thread (for tools and tests, not for crawls)
    workers: int = defaults.EXTRACT_WORKERS
    #: pages handed to the pool and not yet back; 0 means twice the workers
    max_in_flight: int = defaults.EXTRACT_MAX_IN_FLIGHT
    #: seconds one page may take before its worker is stopped
    timeout: float = defaults.EXTRACT_TIMEOUT

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise InvalidField("workers", f"workers must be 0 or more, got {self.workers!r}")
        if self.max_in_flight < 0:
            raise InvalidField("max_in_flight", f"max_in_flight must be 0 or more, got {self.max_in_flight!r}")
        if self.timeout <= 0:
            raise InvalidField("timeout", f"timeout must be positive, got {self.timeout!r}")

    @property
    def in_flight(self) -> int:
        return self.max_in_flight or 2 * max(self.workers, 1)


class ExtractionPool:
    """Run tasks (the crawl's: extract and analyse one page) in worker processes; ``await pool.run(task, ...)``."""

    def __init__(self, config: PoolConfig) -> None:
        self.config = config
        self._slots: asyncio.Semaphore | None = None
        # spawn, not fork: the crawler's process holds threads and open database connections
        self._pool = (
            ProcessPool(config.workers, context=multiprocessing.get_context("spawn")) if config.workers else None
        )

    async def run(self, task: Callable[..., T], *args: Any) -> T:
        """Return ``task(*args)`` computed in a worker; waits while the pool is full.

        Raises WorkerFailed if the task timed out, its worker died or it could not be sent.
        """
        if self._pool is None:
            return task(*args)
        if self._slots is None:  # created in the running loop
            self._slots = asyncio.Semaphore(self.config.in_flight)
        async with self._slots:
            future = self._pool.submit(task, self.config.timeout, *args)
            try:
                return await asyncio.wrap_future(future)
            except FutureTimeout:
                raise WorkerFailed("timeout", f"more than {self.config.timeout:g} s") from None
            except ProcessExpired as exc:
                raise WorkerFailed("error", f"worker died: {exc}") from None
            except Exception as exc:  # e.g. a page that cannot be sent to a worker
                raise WorkerFailed("error", repr(exc)) from None

    def close(self) -> None:
        """Stop the workers; pages still in the pool are abandoned."""
        if self._pool is not None:
            self._pool.stop()  # type: ignore[no-untyped-call]  # pebble is not typed
            self._pool.join()
