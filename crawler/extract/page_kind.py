"""Tell article pages from the rest of a news site: home, section, tag, author, about, search pages.

Plain functions, no Scrapy. The signals are weighed in order of trust: what the
page says it is (JSON-LD ``@type``, ``og:type``), what its URL says it is, whether
a sitemap or feed listed it, and last the shape of its URL. Text length alone
misleads: a tag page full of teasers or an "about us" page is long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

#: og:type / JSON-LD ``@type`` values of article pages (lower-cased, as trafilatura reports them).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "blogposting",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "liveblogposting",
        "report",
        "scholarlyarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "techarticle",
        "posting",
    }
)
#: Path segments that name a listing or a site's own pages, wherever they stand in the path.
LISTING_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "topic",
        "topics",
        "author",
        "authors",
        "writer",
        "writers",
        "profile",
        "category",
        "categories",
        "section",
        "sections",
        "search",
        "page",
        "about",
        "about-us",
        "contact",
        "contact-us",
        "privacy",
        "privacy-policy",
        "terms",
        "terms-of-use",
        "login",
        "subscribe",
        "newsletters",
        "feed",
        "rss",
    }
)
#: Query arguments of paginated listings and search results.
LISTING_QUERY_ARGS = frozenset({"page", "p", "paged", "q", "s", "query", "search", "tag", "author", "cat"})
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}|\d{4,}")


@dataclass(frozen=True)
class PageSignals:
    """What a fetched page tells about itself.

    ``page_type`` is its declared og:type / JSON-LD type, ``listed`` says a
    sitemap or feed named its URL, ``news`` that a news sitemap did (which
    declares it an article), ``word_count`` counts its extracted main text.
    """

    url: str
    page_type: str | None
    word_count: int
    listed: bool = False
    news: bool = False

    @property
    def declared(self) -> bool:
        """Return True if the page says it is an article (its type) or a news sitemap says so."""
        return self.page_type in ARTICLE_TYPES or self.news


def not_article_reason(page: PageSignals, min_words: int, declared_min_words: int = 25) -> str | None:
    """Return why ``page`` is not an article page, or None if it is one.

    Length rules out only pages that declare nothing: a news brief of 40 words
    that declares itself an article is one, above the small ``declared_min_words``.

    >>> not_article_reason(PageSignals("https://n.example/tag/nasa/", None, 400, listed=True), 80)
    'listing_url'
    >>> not_article_reason(PageSignals("https://n.example/2019/11/moon-shot-bids/", None, 400), 80)
    >>> not_article_reason(PageSignals("https://n.example/2019/11/brief/", "newsarticle", 40), 80)
    """
    if page.declared:
        return "too_short" if page.word_count < min(declared_min_words, min_words) else None
    if page.word_count < min_words:
        return "too_short"
    if page.page_type:
        return "page_type"
    if is_listing_url(page.url):
        return "listing_url"
    if page.listed:
        return None
    return None if _SLUG.search(urlsplit(page.url).path.lower()) else "url_shape"


def is_story_url(url: str, listed: bool = False) -> bool:
    """Return True if ``url`` should carry a story, whatever its page turns out to hold.

    Not a listing's URL, and a story slug or a long number in its path, or named by a sitemap or feed:
    the pages whose extraction should give an article (crawler.extensions.health counts them).

    >>> is_story_url("https://n.example/2019/11/moon-shot-bids/"), is_story_url("https://n.example/world/")
    (True, False)
    """
    if is_listing_url(url):
        return False
    return listed or bool(_SLUG.search(urlsplit(url).path.lower()))


def is_listing_url(url: str) -> bool:
    """Return True if ``url`` has the shape of a listing or a site page, not of a story.

    Tag, author, section, search and about pages, ``/page/2/``, ``?page=2``,
    ``?q=…`` and date archives such as ``/2019/11/``.
    """
    parts = urlsplit(url)
    segments = [_EXTENSION.sub("", s) for s in parts.path.lower().split("/") if s]
    if not segments:
        return True  # a home page
    if any(s in LISTING_SEGMENTS for s in segments):
        return True
    if _is_date_archive(segments):
        return True
    return any(name.lower() in LISTING_QUERY_ARGS for name, _ in parse_qsl(parts.query, keep_blank_values=True))


def _is_date_archive(segments: list[str]) -> bool:
    """Return True for paths that end in a year, year/month or year/month/day."""
    tail: list[str] = []
    for segment in reversed(segments):
        if not segment.isdigit():
            break
        tail.insert(0, segment)
    tail = tail[-3:]
    return bool(tail) and len(tail[0]) == 4 and all(len(s) <= 2 for s in tail[1:])
