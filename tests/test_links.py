"""A page's links read in the extraction worker are the links Scrapy's LinkExtractor finds (crawler.extract.links)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawler.demo.newsweb import Site
from crawler.extract import trafilatura_adapter
from crawler.extract.links import page_links
from fixture_web import load_articles

DATA = Path(__file__).parent / "data"
#: real news pages (tests/data/README.md says where they come from)
PAGES = sorted([*DATA.glob("*.html.gz"), *(DATA / "pages").glob("*.html.gz")])
URL = "https://news.example.com/world/2024/05/a-story.html"
#: Scrapy's extractor, files by extension kept: the spider leaves those out itself, once per URL
SCRAPY = LinkExtractor(deny_extensions=[])


def scrapy_links(html: str, url: str) -> list[str]:
    return [link.url for link in SCRAPY.extract_links(HtmlResponse(url, body=html.encode(), encoding="utf-8"))]


def worker_links(html: str, url: str) -> tuple[str, ...]:
    """Return the links as the worker reads them: from the tree extraction parses (trafilatura's)."""
    tree = trafilatura_adapter.parse_html(html)
    assert tree is not None
    return page_links(tree, html, url).links


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_the_links_of_a_real_page_are_those_scrapy_finds(path: Path) -> None:
    html = gzip.decompress(path.read_bytes()).decode("utf-8")
    found = worker_links(html, URL)
    assert len(found) > 5 and set(found) == set(scrapy_links(html, URL))
    assert len(found) == len(set(found))


def test_the_links_of_a_generated_site_are_those_scrapy_finds() -> None:
    site = Site("Ledger", "ledger", list(load_articles().values())[:3], base_url="http://127.0.0.1:9200")
    for path, (_, _, body) in site.render().items():
        if path.endswith(".html") or path.endswith("/"):
            html = body.decode("utf-8")
            assert set(worker_links(html, site.base_url + path)) == set(scrapy_links(html, site.base_url + path))


HREFS = st.sampled_from(
    [
        "/a/b.html",
        "c/d?x=1&y=2",
        "../up/one",
        "  /spaced/out  ",
        "//cdn.example.org/img.jpg",
        "https://other.example/über/straße?q=ä b",
        "javascript:void(0)",
        "mailto:desk@example.com",
        "#top",
        "?page=2",
        "http://[bad",
        "/files/report.PDF",
        "ftp://files.example.com/x",
        "tel:+4412345",
        "",
        "https://news.example.com/it's/quoted",
        "/a/../b/./c",
        "HTTPS://News.Example.com:8443/p/../q",
        "https:same-scheme/relative",
        "//user@cdn.example.org:81/x/../y",
    ]
)


@settings(max_examples=60)
@given(hrefs=st.lists(HREFS, max_size=8), base=st.sampled_from(["", "https://mirror.example/root/", "/local/"]))
def test_any_mix_of_hrefs_gives_the_links_scrapy_gives(hrefs: list[str], base: str) -> None:
    head = f'<base href="{base}">' if base else ""
    body = "".join(f'<p>Text <a href="{href}">link</a></p>' for href in hrefs)
    html = f"<html><head>{head}</head><body>{body}<area href='/map/area'></body></html>"
    assert set(worker_links(html, URL)) == set(scrapy_links(html, URL))


def test_feeds_and_next_pages_are_read_against_the_base() -> None:
    html = (
        '<html><head><base href="https://news.example.com/section/">'
        '<link rel="alternate" type="application/rss+xml" href="feed.xml">'
        '<link rel="next" href="?page=2"></head><body><a rel="nofollow next" href="/archive/3">Older</a></body></html>'
    )
    tree = trafilatura_adapter.parse_html(html)
    assert tree is not None
    links = page_links(tree, html, URL)
    assert links.feeds == ("https://news.example.com/section/feed.xml",)
    assert links.next_pages == ("https://news.example.com/section/?page=2", "https://news.example.com/archive/3")
