"""Fuzzing the crawl's extraction (hypothesis): random bytes and text, and real pages cut, mangled and re-encoded.

What the crawl runs on a fetched page is Scrapy's decoding (``response.text``) and then, in a
worker, :class:`crawler.extract.analysis.PageAnalyser` (``extract_page``, furniture, dedup
signals). Whatever the page, that returns an outcome — an article, or a reason there is none —
and never raises; and an article holds only what the archive can store (no NUL, no lone
surrogate, metadata that fits its columns), so one hostile page cannot stop a crawl's writes.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from crawler.dedup.compare import DedupConfig
from crawler.extract.analysis import PageAnalyser, PageAnalysis
from crawler.extract.article import extract_page
from crawler.extract.furniture import BoilerplateConfig
from crawler.extract.payload import is_binary
from crawler.items import PageItem
from crawler.pipelines.store import story_metadata
from crawler.spiders.news import NewsSpider

DATA = Path(__file__).parent / "data"
PAGES = sorted([DATA / "techcrunch.html.gz", *(DATA / "pages").glob("*.html.gz")])
URL = "http://news.example.com/2019/11/a-story-of-the-day"
#: why a page is no article (crawler.extract.article.Extracted); "error" is a library failing on the page
REASONS = {"empty", "bad_encoding", "not_html", "too_large", "error"}
#: control characters: NUL, which PostgreSQL refuses, and ESC and the others a terminal obeys
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: the archive's bounded columns (storage/schema.py) and what extraction fills them from
BOUNDED = {"language": 16, "published": 32, "updated": 32}

analyse = PageAnalyser(extract_page, DedupConfig(), BoilerplateConfig().max_words)


@cache
def page(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _storable(text: str) -> bool:
    """True if ``text`` can be written to SQLite and PostgreSQL (UTF-8, no NUL) and printed to a terminal (no ESC…)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not CONTROL.search(text)


def check(analysis: PageAnalysis) -> None:
    """Assert that ``analysis`` is an outcome the pipelines can use and the archive can store."""
    extracted = analysis.extracted
    if extracted.article is None:
        assert extracted.reason in REASONS, extracted
        assert extracted.reason != "error", extracted.detail  # our code raised on the page: a bug to fix
        return
    article = extracted.article
    assert extracted.reason is None and analysis.signals is not None
    assert article.lines and all(line.strip() and "\n" not in line for line in article.lines)
    meta = article.meta
    fields = [article.url, *article.lines, analysis.text, *article.dropped, *meta.authors, *meta.tags]
    fields += [getattr(meta, name) or "" for name in ("title", "sitename", "section", "description", "image")]
    fields += [getattr(meta, name) or "" for name in BOUNDED]
    fields += [value for value in story_metadata(article).values() if value]  # as the store pipeline writes them
    assert all(_storable(value) for value in fields), article
    for name, limit in BOUNDED.items():
        assert len(getattr(meta, name) or "") <= limit, (name, getattr(meta, name))


def crawled(body: bytes, content_type: str = "text/html") -> PageAnalysis:
    """Return what the crawl makes of ``body`` served with ``content_type``: Scrapy decodes, the worker analyses."""
    response = HtmlResponse(URL, body=body, headers={"Content-Type": content_type})
    return analyse(response.text, URL, set())


def test_the_real_pages_are_articles() -> None:
    """The mutations below start from pages that extract: what breaks is the mutation's doing."""
    for path in PAGES:
        assert crawled(page(path), "text/html; charset=utf-8").extracted.article is not None, path


# -- random input --------------------------------------------------------

charsets = st.sampled_from(
    [
        "text/html",
        "text/html; charset=utf-8",
        "text/html; charset=latin-1",
        "text/html; charset=utf-16",
        "text/html; charset=bogus",
    ]
)


@settings(max_examples=150)
@given(body=st.binary(max_size=4096), content_type=charsets)
def test_random_bytes_are_an_outcome(body: bytes, content_type: str) -> None:
    check(crawled(body, content_type))


@settings(max_examples=150)
@given(text=st.text(max_size=4096))
def test_random_text_is_an_outcome(text: str) -> None:
    check(analyse(text, URL, set()))


#: markup a page's author might write, in any order and nesting
markup = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<div class=x>",
            "</div>",
            "<article>",
            "<h2>",
            "</h2>",
            "<a href='/x'>",
            "</a>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "<![CDATA[",
            "<table><tr><td>",
            "<html lang='",
            "<meta charset='utf-16'>",
            "<meta property='og:title' content='",
            "&#0;",
            "&#xD800;",
            "&#x110000;",
            "&nbsp;",
            "&",
            "'",
            '"',
            "\x00",
            "\ufffd",
            "\u2028",
            "\x1b[2J\x1b]0;title\x07",
            "&#x1b;[31m",
            "The mayor said the council will vote on the budget on Monday evening.",
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "',
            "\\ud800",
            "\\u0000",
            '"}</script>',
        ]
    )
    | st.text(max_size=30),
    max_size=200,
).map("".join)


@settings(max_examples=150)
@given(html=markup)
def test_random_markup_is_an_outcome(html: str) -> None:
    check(analyse(f"<html><body>{html}", URL, set()))
    check(crawled(html.encode("utf-8", "surrogatepass")))


# -- real pages, mutated -------------------------------------------------

pages = st.sampled_from(PAGES).map(page)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """Return a real page with a few of: a cut, spans deleted or repeated, bytes flipped, NULs, junk inserted."""
    body = bytearray(draw(pages))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        kind = draw(st.sampled_from(["cut", "delete", "repeat", "flip", "insert"]))
        if kind == "cut":
            del body[at:]
        elif kind == "delete":
            del body[at : at + draw(st.integers(1, 2000))]
        elif kind == "repeat":
            body[at:at] = body[at : at + draw(st.integers(1, 2000))] * draw(st.integers(2, 50))
        elif kind == "flip":
            for position in draw(st.lists(st.integers(0, max(len(body) - 1, 0)), max_size=50)):
                if body:
                    body[position] ^= draw(st.integers(1, 255))
        else:
            body[at:at] = draw(
                st.sampled_from(
                    [b"\x00", b"\x00" * 100, b"</html>", b"<body>", b"<!--", b"<script>", b"\xff\xfe", b"\xef\xbb\xbf"]
                )
                | st.binary(max_size=100)
            )
    return bytes(body)


@settings(max_examples=40)
@given(body=mutated(), content_type=charsets)
def test_mutated_real_pages_are_an_outcome(body: bytes, content_type: str) -> None:
    check(crawled(body, content_type))


@settings(max_examples=15)
@given(
    body=pages,
    depth=st.integers(100, 20_000),
    tag=st.sampled_from(["div", "p", "span", "b", "table", "li"]),
    data=st.data(),
)
def test_deeply_nested_tags_are_an_outcome(body: bytes, depth: int, tag: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(body)))
    close = data.draw(st.booleans())
    nested = f"<{tag}>".encode() * depth + b"deep" + (f"</{tag}>".encode() * depth if close else b"")
    check(crawled(body[:at] + nested + body[at:]))


@settings(max_examples=10)
@given(body=pages, size=st.integers(10_000, 3_000_000), data=st.data())
def test_huge_attributes_are_an_outcome(body: bytes, size: int, data: st.DataObject) -> None:
    attribute = data.draw(st.sampled_from([b"class", b"style", b"href", b"content", b"data-x", b"lang"]))
    fill = data.draw(st.sampled_from([b"a", b"a b ", b"\xc3\xa9", b"&amp;", b"<"]))
    huge = b"<p " + attribute + b'="' + fill * (size // len(fill)) + b'">text</p>'
    at = body.find(b"<p")
    check(crawled(body[:at] + huge + body[at:]))


async def _yielded(results: AsyncIterator[object]) -> list[object]:
    return [result async for result in results]


@settings(max_examples=40)
@given(body=mutated() | markup.map(str.encode), home=st.booleans())
def test_the_spider_reads_any_page_without_raising(body: bytes, home: bool) -> None:
    """Before extraction, the spider reads the page's links and feeds: that must take any page too."""
    crawler = get_crawler(NewsSpider, {"NEWSARCHIVE_FEED_PATHS": defaults.NEWSARCHIVE_FEED_PATHS, "DEPTH_LIMIT": 2})
    spider = NewsSpider.from_crawler(crawler, start_urls="http://news.example.com/")
    request = Request(URL, meta={"newsarchive_home": home, "depth": 0})
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html"}, request=request)
    results = asyncio.run(_yielded(spider.parse_page(response)))
    assert all(isinstance(r, Request | PageItem) for r in results)
    if is_binary(body):  # not a page: skipped and counted, nothing followed
        assert results == [] and spider.crawler.stats.get_value("newsarchive/skipped/not_html") == 1
        return
    assert isinstance(results[-1], PageItem)
    check(analyse(results[-1].html, URL, set()))


@pytest.mark.parametrize(
    "encoding,declared",
    [
        ("cp1252", "utf-8"),  # declared UTF-8, sent as Windows-1252
        ("utf-8", "windows-1252"),  # the reverse
        ("utf-16", "utf-8"),
        ("utf-16-le", None),  # no BOM, no charset
        ("shift_jis", "utf-8"),
        ("latin-1", "koi8-r"),
    ],
)
def test_pages_in_another_encoding_than_declared_are_an_outcome(encoding: str, declared: str | None) -> None:
    for path in PAGES:
        body = page(path).decode("utf-8").encode(encoding, "replace")
        check(crawled(body, f"text/html; charset={declared}" if declared else "text/html"))


def test_character_references_to_what_xml_has_not_keep_the_page() -> None:
    """A counterexample of the fuzz: one ``&#1;`` or ``&#xFFFF;`` in a paragraph made trafilatura discard the page.

    References to NUL, lone surrogates and beyond U+10FFFF must not reach the archive either.
    """
    references = "&#0; &#1; &#x0B; &#x1F; &#xD800; &#xDFFF; &#xFFFE; &#xFFFF; &#x110000; &#1114112;"
    words = "The council voted to approve the new budget for schools and roads this week. " * 8
    html = (
        f"<html lang='en {references}'><head><title>Budget {references}</title>"
        f"<meta name='author' content='Ann {references}'><meta property='og:site_name' content='Ledger {references}'>"
        f"</head><body><article><h1>Budget {references}</h1>"
        + f"<p class='x{references}'>{words} {references}</p>" * 5
        + "</article></body></html>"
    )
    analysis = analyse(html, URL, set())
    assert analysis.extracted.article is not None, analysis.extracted
    assert analysis.extracted.article.lines[0].startswith("The council voted")
    check(analysis)


def test_json_ld_escapes_of_no_character_are_stored_as_replacement_characters() -> None:
    """A counterexample: JSON-LD ``"\\ud800"`` parses to a lone surrogate, which no database takes: the story was lost."""
    words = "The council voted to approve the new budget for schools and roads this week. " * 8
    ld = '{"@type": "NewsArticle", "headline": "Head\\ud800line \\ud83d\\ude00", "author": {"name": "Ann\\udfff"}}'
    html = f'<html><head><script type="application/ld+json">{ld}</script></head><body><article>' + (
        f"<p>{words}</p>" * 4 + "</article></body></html>"
    )
    analysis = analyse(html, URL, set())
    check(analysis)
    assert analysis.extracted.article is not None
    (jsonld,) = analysis.extracted.article.meta.jsonld
    assert jsonld["headline"] == "Head\ufffdline \U0001f600" and jsonld["author"] == {"name": "Ann\ufffd"}
