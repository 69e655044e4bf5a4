"""Extraction: the article's lines and metadata from a page, listings told apart."""

from __future__ import annotations

import gzip
import json

import pytest
from lxml import html as lxml_html

from crawler.extraction import extract_article, not_article_reason
from crawler.newsweb import Site
from fixture_web import DATA, build_test_web, load_seed


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, tuple[int, str, bytes]]]:
    web = build_test_web()
    for i, site in enumerate(web.sites):
        site.base_url = f"http://127.0.0.1:{9000 + i}"
    return {site.theme: (site, site.render()) for site in web.sites}


def _page(rendered, theme: str, path: str) -> tuple[str, str]:
    site, files = rendered[theme]
    return files[path][2].decode("utf-8"), site.base_url + path


@pytest.mark.parametrize("theme", ["topix", "ledger", "wire"])
def test_seed_page_gives_headline_date_and_every_body_line(theme: str) -> None:
    story = load_seed()
    site = Site("Seed Times", theme, [story], base_url="http://127.0.0.1:9100")
    html = site.render()[site.article_path(story)][2].decode("utf-8")
    article = extract_article(html, site.article_url(story))
    assert article is not None
    assert article.title == story.title
    assert article.published == story.published
    assert article.language == "en"
    body = [" ".join(line.split()) for line in article.lines]
    for line in story.paragraphs:
        assert " ".join(line.split()) in body
    assert body[0] != story.title  # the headline printed again is not body text


def test_plain_extraction_keeps_in_body_furniture_that_learning_must_remove(rendered) -> None:
    site, _ = rendered["topix"]
    article = extract_article(*_page(rendered, "topix", site.article_path(site.stories[0])))
    assert "Like Us on Facebook" in article.lines


def test_article_pages_are_told_from_listings(rendered) -> None:
    for theme, (site, files) in rendered.items():
        for path, (status, ctype, body) in files.items():
            if path in site.broken or not ctype.startswith("text/html") or path == "/":
                continue
            url = site.base_url + path
            article = extract_article(body.decode("utf-8"), url)
            is_article = article is not None and not_article_reason(article, url, listed=False, min_words=80) is None
            articles = {prefix + site.article_path(s) for s in site.stories for prefix in ("", "/print")}
            assert is_article == (path in articles), f"{theme} {path}"


def test_a_real_benchmark_page_gives_its_metadata() -> None:
    (item,) = [a for a in json.loads((DATA / "articles.json").read_text()) if "techcrunch" in a["url"]]
    html = gzip.decompress((DATA / "techcrunch.html.gz").read_bytes()).decode("utf-8")
    article = extract_article(html, item["url"])
    assert article.author == "Catherine Shu"
    assert article.published == "2019-11-18"
    assert article.lines[0].startswith(item["body"][0][:60])


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>Half a sen", "\x00\x01garbage\xff" * 50, "<div>" * 5000])
def test_bad_html_gives_no_article_and_no_exception(html: str) -> None:
    assert extract_article(html, "http://127.0.0.1:9/x") is None


@pytest.mark.parametrize("theme", ["topix", "ledger", "wire"])
def test_every_furniture_line_a_theme_names_is_on_its_article_pages(theme: str) -> None:
    """Keeps the furniture assertions of the crawl tests from checking for lines no page prints."""
    story = load_seed()
    site = Site("Seed Times", theme, [story], base_url="http://127.0.0.1:9100")
    tree = lxml_html.fromstring(site.render()[site.article_path(story)][2])
    text = " ".join(tree.xpath("string(/html)").split())
    for line in site.furniture:
        assert line in text, line
