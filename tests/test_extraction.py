"""Extraction: the article's lines and metadata from a page, listings told apart."""

from __future__ import annotations

import gzip
import json

import pytest
from lxml import html as lxml_html

from crawler.demo.newsweb import Site
from crawler.extract.article import extract_page
from crawler.extract.page_kind import PageSignals, not_article_reason
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
    article = extract_page(html, site.article_url(story)).article
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
    article = extract_page(*_page(rendered, "topix", site.article_path(site.stories[0]))).article
    assert "Like Us on Facebook" in article.lines


def test_article_pages_are_told_from_listings(rendered) -> None:
    for theme, (site, files) in rendered.items():
        for path, (_status, ctype, body) in files.items():
            if path in site.broken or not ctype.startswith("text/html") or path == "/":
                continue
            url = site.base_url + path
            article = extract_page(body.decode("utf-8"), url).article
            page = article and PageSignals(url, article.page_type, article.word_count)
            is_article = page is not None and not_article_reason(page, min_words=80) is None
            articles = {prefix + site.article_path(s) for s in site.stories for prefix in ("", "/print")}
            assert is_article == (path in articles), f"{theme} {path}"


def test_a_real_benchmark_page_gives_its_metadata() -> None:
    (item,) = [a for a in json.loads((DATA / "articles.json").read_text()) if "techcrunch" in a["url"]]
    html = gzip.decompress((DATA / "techcrunch.html.gz").read_bytes()).decode("utf-8")
    article = extract_page(html, item["url"]).article
    assert article.author == "Catherine Shu"
    assert article.published == "2019-11-18"
    assert article.lines[0].startswith(item["body"][0][:60])


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>Half a sen", "\x00\x01garbage\xff" * 50, "<div>" * 5000])
def test_bad_html_gives_no_article_and_no_exception(html: str) -> None:
    assert extract_page(html, "http://127.0.0.1:9/x").article is None


@pytest.mark.parametrize("theme", ["topix", "ledger", "wire"])
def test_every_furniture_line_a_theme_names_is_on_its_article_pages(theme: str) -> None:
    """Keeps the furniture assertions of the crawl tests from checking for lines no page prints."""
    story = load_seed()
    site = Site("Seed Times", theme, [story], base_url="http://127.0.0.1:9100")
    tree = lxml_html.fromstring(site.render()[site.article_path(story)][2])
    text = " ".join(tree.xpath("string(/html)").split())
    for line in site.furniture:
        assert line in text, line


def test_subheads_are_marked_as_headings_and_paragraphs_are_not() -> None:
    story = load_seed()
    site = Site("Seed Times", "topix", [story], base_url="http://127.0.0.1:9100")
    article = extract_page(site.render()[site.article_path(story)][2].decode("utf-8"), site.article_url(story)).article
    subheads = {" ".join(line.removeprefix("## ").split()) for line in story.body if line.startswith("## ")}
    assert subheads
    assert {" ".join(article.lines[i].split()) for i in article.headings} == subheads


def test_json_ld_authors_and_canonical_url_are_read(rendered) -> None:
    site, _ = rendered["ledger"]
    story = site.stories[1]
    article = extract_page(*_page(rendered, "ledger", site.article_path(story))).article
    assert article.meta.authors == (story.author,)
    assert [obj["@type"] for obj in article.meta.jsonld] == ["NewsArticle"]
    assert article.meta.jsonld[0]["headline"] == story.title
    topix, _ = rendered["topix"]
    article = extract_page(*_page(rendered, "topix", topix.article_path(topix.stories[1]))).article
    assert article.meta.canonical_url == topix.article_url(topix.stories[1])


def test_a_real_benchmark_page_gives_its_full_metadata() -> None:
    (item,) = [a for a in json.loads((DATA / "articles.json").read_text()) if "techcrunch" in a["url"]]
    html = gzip.decompress((DATA / "techcrunch.html.gz").read_bytes()).decode("utf-8")
    meta = extract_page(html, item["url"]).article.meta
    assert meta.language == "en"
    assert meta.sitename == "TechCrunch"
    assert meta.image and meta.image.startswith("https://")
    assert meta.canonical_url and "wework" in meta.canonical_url
    assert meta.tags or meta.section


def test_hidden_elements_and_link_lists_are_not_article_text() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the story says something new about the vote today.</p>" for i in range(12)
    )
    html = (
        f"<html><body><article>{paragraphs}"
        '<div style="display: none"><p>2019-11-19T08:57:40+01:00 hidden schema text for machines only</p></div>'
        '<p>Related: <a href="/a">Another story about something else entirely</a></p>'
        "</article></body></html>"
    )
    article = extract_page(html, "http://127.0.0.1:9/story/2019/vote-today").article
    assert len(article.lines) == 12
    assert not [line for line in article.lines if "hidden" in line or "Related" in line]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("caf\ufffd \ufffdt\ufffd", "bad_encoding"),
        ("<p>a\x00b</p>" * 10, "not_html"),
        ("<html><body>" + "<p>x</p>" * 300 + "</body></html>", "too_large"),
        ("<html><head></head></html>", "empty"),
    ],
)
def test_bad_input_gives_a_reason(html: str, reason: str) -> None:
    outcome = extract_page(html, "http://127.0.0.1:9/x", max_elements=200)
    assert (outcome.article, outcome.reason) == (None, reason)
    assert outcome.detail
