"""What became of a page the pipelines did not archive, as a value: a drop carries its outcome.

The fetch log, the run records and ``/sites`` read the outcome, never the
drop's message, so a too-old article is counted as too old and not as an error.
"""

from __future__ import annotations

from enum import StrEnum

from scrapy.exceptions import DropItem, IgnoreRequest


class Outcome(StrEnum):
    """Why a fetched page was not archived; :attr:`kind` is what the page turned out to be."""

    NOT_ARTICLE = "not_article"
    TOO_OLD = "too_old"
    KNOWN = "known"
    ERROR = "error"

    @property
    def kind(self) -> str:
        """Return the fetch-log kind of a page with this outcome: listing, article or page (unknown)."""
        return {"not_article": "listing", "too_old": "article", "known": "article"}.get(self.value, "page")


class PageDropped(DropItem):
    """A page dropped by a pipeline: ``outcome`` says what it was, ``reason`` the stat key (``extract/too_old``)."""

    def __init__(self, outcome: Outcome, reason: str, url: str) -> None:
        super().__init__(f"{reason}: {url}", log_level="DEBUG")
        self.outcome = outcome
        self.reason = reason


class Skipped(IgnoreRequest):
    """A request a middleware left out on purpose: ``reason`` is its stat key (``newsarchive/skipped/<reason>``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class RetryScheduled(IgnoreRequest):
    """The response was not the page's last word: its retry waits for its time (crawler.middlewares.retry)."""


def dropped_as(exception: BaseException) -> tuple[Outcome, str]:
    """Return the outcome and the reason of a drop; any other exception dropped the page as an error."""
    if isinstance(exception, PageDropped):
        return exception.outcome, exception.reason
    return Outcome.ERROR, type(exception).__name__
