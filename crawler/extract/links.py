"""The links a page offers the crawl, read from its parsed tree in the extraction worker that parses it anyway.

Scrapy's LinkExtractor, run in the crawl's own process, parsed every page a second
time and spent ~8 ms a real-weight page building Link objects with their texts
and canonical keys, which the spider never used. This reads the same links
(``<a>``/``<area>`` hrefs, made absolute against ``<base href>`` as Scrapy does,
percent-encoded) from the tree extraction already has, before anything prunes
it; the spider then applies its site rules to the URLs, and leaves out files
(by extension) as Scrapy's extractor does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree
from w3lib.html import get_base_url, strip_html5_whitespace
from w3lib.url import safe_url_string

#: Feeds a page announces in its head.
FEEDS = etree.XPath("//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href")
#: Paginated listings announce their next page in the head, some in the body too.
NEXT_PAGES = etree.XPath(
    "//link[@rel='next']/@href | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
)
_HREFS = etree.XPath("//a/@href | //area/@href")
#: Scrapy's ``get_base_url`` looks for ``<base href>`` in the first this many characters of a page.
_BASE_WINDOW = 4096


@dataclass(frozen=True)
class PageLinks:
    """A page's absolute link targets in page order, each once; its announced feeds and next pages."""

    links: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    next_pages: tuple[str, ...] = ()


def page_links(tree: etree._Element, html: str, url: str) -> PageLinks:
    """Return the links of the page ``html`` fetched from ``url``, parsed as ``tree`` (not yet pruned)."""
    base = get_base_url(html[:_BASE_WINDOW], url)
    links = dict.fromkeys(link for href in _HREFS(tree) if (link := _absolute(base, href)) and _is_web_url(link))
    return PageLinks(
        links=tuple(links),
        feeds=tuple(link for href in FEEDS(tree) if (link := _absolute(base, href))),
        next_pages=tuple(link for href in NEXT_PAGES(tree) if (link := _absolute(base, href))),
    )


def _absolute(base: str, href: str) -> str | None:
    """Return ``href`` as an absolute, percent-encoded URL, as Scrapy's link extractor makes it; None if it is bogus."""
    href = strip_html5_whitespace(href)
    try:
        if (href.startswith("/") or _WITH_HOST.match(href)) and (origin := _ORIGIN.match(base)):
            return _from_origin(origin[0], href)  # resolved against the base's scheme and host alone
        return _safe_url(urljoin(base, href))
    except ValueError:
        return None


#: An href naming its host (``scheme://``), and the scheme and host of a base URL (its origin, with user and port).
_WITH_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ORIGIN = re.compile(r"[^:/?#]*:(?://[^/?#]*)?")


@lru_cache(maxsize=1 << 16)
def _from_origin(origin: str, href: str) -> str:
    """Return ``href``, which starts with its path or its host, joined to ``origin``: a site's pages link the same
    menus again and again, so each is joined and encoded once (``urljoin`` alone was 7% of a worker's time)."""
    return safe_url_string(urljoin(origin, href))


@lru_cache(maxsize=1 << 16)
def _safe_url(link: str) -> str:
    """Return ``safe_url_string(link)``: a site's pages link the same menus again and again, each asked once."""
    return safe_url_string(link)


def _is_web_url(link: str) -> bool:
    """Return whether ``link`` is one Scrapy's link extractor keeps: HTTP(S), FTP or file."""
    scheme, _, rest = link.partition("://")
    return scheme in ("http", "https", "ftp", "file") and bool(rest)
