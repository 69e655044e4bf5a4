"""Everything the crawl derives from one page alone, computed in an extraction worker.

The crawl's own process runs Scrapy's event loop, the archive and the WARC
files on one core, so a worker does all the per-page work that needs no
archive: it extracts the page, removes its site's furniture (the lines learned
so far, sent with the page), counts its words, picks the lines that count
towards furniture learning, and computes the dedup fingerprint, shingle set
and LSH band keys of the clean text; the page's links come with it
(crawler.extract.links). The crawl's process is left with the archive's
queries and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.dedup.compare import DedupConfig
from crawler.dedup.minhash import TextSignals, text_signals
from crawler.extract import furniture
from crawler.extract.article import Extracted
from crawler.extract.links import PageLinks


@dataclass(frozen=True)
class PageAnalysis:
    """A page's extraction outcome and, for an article, what the pipelines after extraction need."""

    extracted: Extracted
    #: the article's lines without its site's furniture, one per line
    text: str = field(default="", repr=False)
    #: words of the extracted main text (furniture included, as ``Article.word_count``)
    word_count: int = 0
    #: ``{line key: line}`` of the short lines (and edge sentences, and lines extraction dropped) counted
    #: towards the site's furniture
    countable: dict[str, str] = field(default_factory=dict, repr=False)
    signals: TextSignals | None = None

    @property
    def links(self) -> PageLinks | None:
        """The page's links as the worker read them; None if it could not (the spider reads them itself then)."""
        return self.extracted.links


@dataclass(frozen=True)
class PageAnalyser:
    """``analyser(html, url, learned)`` -> PageAnalysis; picklable, so a worker process can run it."""

    extract: Callable[[str, str], Extracted]
    dedup: DedupConfig
    max_words: int

    def __call__(self, html: str, url: str, learned: set[str]) -> PageAnalysis:
        extracted = self.extract(html, url)
        article = extracted.article
        if article is None:
            return PageAnalysis(extracted)
        text = "\n".join(furniture.clean(article.lines, learned, article.headings))
        return PageAnalysis(
            extracted,
            text=text,
            word_count=article.word_count,
            countable=furniture.countable_lines(article.lines, self.max_words, article.dropped),
            signals=text_signals(text, self.dedup),
        )
