"""Record how extraction went on each site of a crawl: the numbers that show a site's layout drifting.

Fed by the item signals: every article page that reached extraction either gave an article (it was
stored, or dropped later as a copy the archive holds) or was dropped for a reason. When the spider
closes, one record per site goes to the archive (storage.health) under the crawl's run, and a site
whose extraction now fails against its recent runs is logged and counted (``newsarchive/health/flagged``).
"""

from __future__ import annotations

import logging
import statistics
from bisect import insort
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.archive import archive_owner
from crawler.extract.page_kind import is_story_url
from crawler.items import ArticleItem, PageItem
from crawler.outcomes import Outcome, dropped_as
from crawler.urls import canonical_url, site_of
from storage.health import EXAMPLES, RunHealth, latest_verdicts, save_health

logger = logging.getLogger(__name__)

#: Outcomes of pages that were never extracted (archived already), or whose article is out of the crawl's scope.
NOT_MEASURED = frozenset({Outcome.KNOWN, Outcome.TOO_OLD})


@dataclass
class SiteTally:
    """What extraction gave on one site's article pages so far, in memory that does not grow with them."""

    site: str
    pages: int = 0
    articles: int = 0
    #: word count -> how many articles had it: the median, without a list of every article
    words: Counter[int] = field(default_factory=Counter)
    #: the EXAMPLES shortest articles, (words, URL), shortest first
    shortest: list[tuple[int, str]] = field(default_factory=list)
    with_title: int = 0
    with_date: int = 0
    with_author: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def article(self, item: ArticleItem) -> None:
        self.pages += 1
        self.articles += 1
        count = len(item.text.split())
        self.words[count] += 1
        insort(self.shortest, (count, item.url))
        del self.shortest[EXAMPLES:]
        self.with_title += bool(item.article.title)
        self.with_date += bool(item.article.published)
        self.with_author += bool(item.article.author)

    def failed(self, url: str, why: str) -> None:
        self.pages += 1
        if len(self.failures) < EXAMPLES:
            self.failures.append((url, why))

    def record(self, furniture: frozenset[str]) -> RunHealth:
        return RunHealth(
            site=self.site,
            pages=self.pages,
            articles=self.articles,
            median_words=round(statistics.median(self.words.elements())) if self.articles else None,
            with_title=self.with_title,
            with_date=self.with_date,
            with_author=self.with_author,
            furniture=furniture,
            failures=tuple(self.failures),
            shortest=tuple(url for _, url in self.shortest),
        )


class ExtractionHealth:
    """Tally each site's article pages during the crawl; write the tallies when it ends."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.min_pages = crawler.settings.getint("BOILERPLATE_MIN_PAGES")
        self.min_ratio = crawler.settings.getfloat("BOILERPLATE_MIN_RATIO")
        self.sites: dict[str, SiteTally] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionHealth:
        if not crawler.settings.getbool("NEWSARCHIVE_HEALTH_ENABLED"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _tally(self, site: str) -> SiteTally:
        return self.sites.setdefault(site, SiteTally(site))

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ArticleItem):
            self._tally(item.site).article(item)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(item, ArticleItem):  # an article the store did not keep: a copy it holds already
            self._tally(item.site).article(item)
            return
        if not isinstance(item, PageItem):
            return
        outcome, why = dropped_as(exception)
        if outcome in NOT_MEASURED or not is_story_url(item.url, item.listed):
            return
        url = canonical_url(item.url)
        self._tally(site_of(url)).failed(url, why)

    def spider_closed(self) -> None:
        owner = archive_owner(self.crawler)
        run_id, archive = owner.run_id, owner.archive
        if run_id is None or not self.sites:
            return
        records = [
            tally.record(frozenset(archive.learned_lines(site, self.min_pages, self.min_ratio)))
            for site, tally in sorted(self.sites.items())
        ]
        save_health(archive, run_id, records)
        verdicts = latest_verdicts(archive, [record.site for record in records])
        for site, verdict in sorted(verdicts.items()):
            if verdict.flagged:
                self.stats.inc_value("newsarchive/health/flagged")
                logger.warning(
                    "extraction on %s looks broken: %s (newsarchive health --site %s)",
                    site,
                    "; ".join(verdict.flags),
                    site,
                )
        logger.info("extraction health recorded for %d sites", len(records))
