"""A page's metadata: headline, authors, dates, language, site, canonical URL, tags, image, JSON-LD.

Read from the whole parsed page before extraction prunes it; no Scrapy, no fetching.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement

from crawler.extract import trafilatura_adapter, xpaths
from crawler.urls import is_http_url

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
_AUTHOR_SEPARATORS = re.compile(r"\s*;\s*")
#: JSON-LD types worth keeping with a story: the article itself, not breadcrumbs or the site's logo.
_LD_ARTICLE = re.compile(r"article|posting|report", re.IGNORECASE)
#: A language tag's primary subtag (ISO 639: two or three letters); anything else is no language (and would
#: not fit the archive's column).
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class PageMetadata:
    """What a page says about itself; every field may be missing."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    updated: str | None = None
    language: str | None = None
    sitename: str | None = None
    canonical_url: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    description: str | None = None
    page_type: str | None = None
    #: the page's JSON-LD objects of an article type, as the page gave them
    jsonld: tuple[dict[str, Any], ...] = ()

    @property
    def author(self) -> str | None:
        return "; ".join(self.authors) or None


def page_metadata(tree: HtmlElement, url: str) -> PageMetadata:
    """Return the metadata of the page parsed as ``tree`` and fetched from ``url``.

    Dates come from htmldate on the tree (trafilatura calls it for the original
    date; the update date is asked for separately); ``url`` is only read, never fetched.
    """
    html_title = " ".join(xpaths.TITLE(tree).split())
    doc = trafilatura_adapter.page_document(tree, url)
    updated = find_date(tree, original_date=False, extensive_search=False, url=url)
    return PageMetadata(
        title=_headline(doc.title, html_title, doc.sitename),
        authors=tuple(a for a in _AUTHOR_SEPARATORS.split(doc.author or "") if a),
        published=doc.date or None,
        updated=updated if updated and updated != doc.date else None,
        language=_language(tree),
        sitename=doc.sitename or None,
        canonical_url=doc.url if is_http_url(doc.url) else None,
        section=", ".join(doc.categories or ()) or None,
        tags=tuple(doc.tags or ()),
        image=doc.image if is_http_url(doc.image) else None,
        description=doc.description or None,
        page_type=(doc.pagetype or "").lower() or None,
        jsonld=tuple(_jsonld_articles(tree)),
    )


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


def _language(tree: HtmlElement) -> str | None:
    langs = xpaths.LANGUAGES(tree)
    lang = str(langs[0]).strip().replace("_", "-").split("-")[0].lower() if langs else ""
    return lang if _LANGUAGE.fullmatch(lang) else None


def _jsonld_articles(tree: HtmlElement) -> list[dict[str, Any]]:
    """Return the JSON-LD objects of an article type; broken JSON is skipped."""
    found = []
    for script in xpaths.JSONLD(tree):
        try:
            data = _without_lone_surrogates(json.loads(script))
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if not isinstance(obj, dict):
                continue
            stack.extend(obj.get("@graph", []) if isinstance(obj.get("@graph"), list) else [])
            kind = obj.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and _LD_ARTICLE.search(k) for k in kinds):
                found.append(obj)
    return found


def _without_lone_surrogates(value: Any) -> Any:
    """Return a parsed JSON value with each lone surrogate (``"\\ud800"``: no character, and no UTF-8) as U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    return value
