"""Article extraction on top of trafilatura: text lines and metadata, no Scrapy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from crawler.urls import is_http_url

#: og:type / JSON-LD types trafilatura reports for article pages.
ARTICLE_TYPES = frozenset(
    {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
     "opinionnewsarticle", "backgroundnewsarticle", "liveblogposting", "report", "scholarlyarticle"}
)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
_WORDS = re.compile(r"\w+")
#: A block with at least this share of its characters in links…
LINK_DENSITY_MAX = 0.5
#: …and at most this many words is navigation, not article text.
LINK_BLOCK_MAX_WORDS = 40
_HIDDEN = (
    "//*[@hidden] | //*[contains(translate(@style, 'DISPLAYNOE ', 'displaynoe'), 'display:none')]"
    " | //*[contains(translate(@style, 'VISBLITYHDEN ', 'visblityhden'), 'visibility:hidden')]"
)
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}|\d{4,}")


@dataclass(frozen=True)
class Article:
    """What extraction found on one page; ``lines`` are body paragraphs and subheads."""

    url: str
    title: str | None
    author: str | None
    published: str | None
    language: str | None
    sitename: str | None
    page_type: str | None
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def word_count(self) -> int:
        return len(_WORDS.findall(self.text))


def extract_article(html: str, url: str) -> Article | None:
    """Return the article on ``html`` (fetched from ``url``), or None if there is no main text.

    Only the HTML is given to trafilatura, never the URL to fetch: fetching is the
    crawler's job (robots.txt, throttling, cache).
    """
    tree = load_html(html)  # parsed once, read here before trafilatura prunes it
    if tree is None:
        return None
    html_title = " ".join(tree.xpath("string(//title)").split())
    language = _language(tree)
    _drop_hidden(tree)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True, include_links=True,
        deduplicate=False,
    )
    if doc is None or doc.body is None:
        return None
    _drop_link_blocks(doc.body)
    etree.strip_tags(doc.body, "ref")
    title = _headline(doc.title, html_title, doc.sitename)
    lines = [line.strip() for line in xmltotxt(doc.body, include_formatting=False).split("\n") if line.strip()]
    if not lines:
        return None
    while lines and title and _same_words(lines[0], title):
        lines.pop(0)  # the headline printed again at the top of the body
    return Article(
        url=doc.url if is_http_url(doc.url) else url,
        title=title,
        author=doc.author or None,
        published=doc.date or None,
        language=language,
        sitename=doc.sitename or None,
        page_type=(doc.pagetype or "").lower() or None,
        lines=tuple(lines),
    )


def not_article_reason(article: Article, url: str, listed: bool, min_words: int) -> str | None:
    """Return why ``article`` is not an article page (e.g. a section front), or None if it is.

    ``listed`` says the URL came from a sitemap or a feed, which only list articles.
    """
    if article.word_count < min_words:
        return "too_short"
    if article.page_type in ARTICLE_TYPES or listed:
        return None
    if article.page_type:
        return "page_type"
    path = urlsplit(url).path.lower()
    return None if _SLUG.search(path) else "url_shape"


def _headline(title: str | None, html_title: str, sitename: str | None) -> str | None:
    """Return the page's headline, not its site name.

    When the headline comes from ``<title>`` ("Site - Headline"), trafilatura
    sometimes keeps the wrong half: the longest part that is not the site name wins.
    """
    parts = _TITLE_SEPARATORS.split(html_title)
    if title not in parts and not (sitename and title and title.casefold() == sitename.casefold()):
        return title
    parts = [p for p in parts if p and not (sitename and p.casefold() == sitename.casefold())]
    return max(parts, key=len) if parts else title


def _drop_hidden(tree: HtmlElement) -> None:
    """Remove what a browser would not show: ``hidden`` elements and inline ``display:none``."""
    for element in tree.xpath(_HIDDEN):
        if element.getparent() is not None and element.tag not in ("html", "body"):
            element.drop_tree()


def _drop_link_blocks(body: etree._Element) -> None:
    """Remove blocks whose text is mostly link text: related-story lists, share and follow rows."""
    for block in body.xpath(".//p|.//head|.//item|.//quote"):
        text = " ".join("".join(block.itertext()).split())
        if not text or block.getparent() is None:
            continue
        linked = sum(len(" ".join("".join(ref.itertext()).split())) for ref in block.iter("ref"))
        if linked / len(text) >= LINK_DENSITY_MAX and len(_WORDS.findall(text)) <= LINK_BLOCK_MAX_WORDS:
            block.getparent().remove(block) if block.tail is None or not block.tail.strip() else _remove_keep_tail(block)
    for container in body.xpath(".//list[not(item)]|.//quote[not(node())]"):
        container.getparent().remove(container)


def _remove_keep_tail(element: etree._Element) -> None:
    parent, previous = element.getparent(), element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + element.tail
    else:
        parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _language(tree: HtmlElement) -> str | None:
    langs = tree.xpath("/html/@lang | //meta[@http-equiv='content-language']/@content")
    lang = str(langs[0]).strip().replace("_", "-") if langs else ""
    return lang.split("-")[0].lower() or None


def _same_words(a: str, b: str) -> bool:
    return _WORDS.findall(a.casefold()) == _WORDS.findall(b.casefold())
