"""What flows through the pipelines: a fetched page, then an extracted article."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.dedup.minhash import TextSignals
from crawler.extract.analysis import PageAnalysis
from crawler.extract.article import Article
from storage import DedupReads, Match
from storage.warc import WarcLocation


@dataclass
class PageItem:
    """An HTML page the spider fetched; ``listed`` if a sitemap or feed named it; ``warc``: its raw capture.

    ``news``: a news sitemap named it, which declares it an article.
    ``oldest`` is the ISO date before which its story is too old to archive (None: any age).
    ``incomplete``: its HTML ends mid-document (crawler.extract.payload.cut_short).
    ``analysis``: what the extraction worker made of it when the spider read its links (None: not analysed yet).
    """

    url: str
    html: str = field(repr=False)
    listed: bool = False
    news: bool = False
    warc: WarcLocation | None = None
    oldest: str | None = None
    incomplete: bool = False
    analysis: PageAnalysis | None = field(default=None, repr=False)


@dataclass
class ArticleItem:
    """An article page, cleaned, and then what dedup decided about it."""

    url: str
    site: str
    article: Article = field(repr=False)
    text: str = field(repr=False)
    #: The dedup signals of ``text`` and the lines counted towards furniture, computed with the extraction
    #: (crawler.extract.analysis).
    signals: TextSignals = field(repr=False)
    countable: dict[str, str] = field(repr=False)
    fingerprint: str = ""
    band_keys: list[tuple[int, int]] = field(default_factory=list, repr=False)
    #: The dedup pipeline's decision, made by the store in the transaction that writes the article (None: a new
    #: story with nothing to compare, or a new version); its outcome fills ``duplicate_of`` and what follows.
    decide: Callable[[DedupReads], Match | None] | None = field(default=None, repr=False)
    duplicate_of: int | None = None
    match: str = "original"
    similarity: float = 1.0
    containment: float = 1.0
    #: The archive's answer to "is this URL archived?", asked once by the extract pipeline: the story whose
    #: own page this is again (the article may be a new version of it), None if the URL is new.
    revises: int | None = None
    #: What the archive made of it: archived, duplicate, revised, unchanged, or incomplete (archived cut short).
    stored: str = ""
    warc: WarcLocation | None = None
    #: the page ended mid-document: archived marked so, fetched again until a whole copy replaces it
    incomplete: bool = False
