"""The main job, through the real ``newsarchive`` command: crawl, dedup, store, export."""

from __future__ import annotations

import re
from collections import Counter

import trafilatura

from conftest import ROOT, SCRAPY, Crawls, newsarchive, run
from crawler.demo.newsweb import NewsWeb
from crawler.urls import site_of
from fixture_web import FixtureWeb


def _summary(output: str) -> dict[str, int]:
    return {
        name: int(n)
        for name, n in re.findall(r"│ (pages fetched|articles new|duplicates found|errors)\s*│ (\d+)", output)
    }


def _words(lines: list[str]) -> list[str]:
    """Return lines with their whitespace normalised (extraction turns no-break spaces into spaces)."""
    return [" ".join(line.split()) for line in lines]


def test_crawls_succeed_and_print_a_summary(crawls: Crawls) -> None:
    for result in (crawls.first, crawls.second, crawls.third):
        assert result.returncode == 0, result.stderr
    assert _summary(crawls.first.stderr)["articles new"] == 5
    assert _summary(crawls.second.stderr)["duplicates found"] >= 1


def test_crawls_trigger_no_python_warnings(crawls: Crawls) -> None:
    for result in (crawls.first, crawls.second, crawls.third):
        assert "Warning:" not in result.stderr


def test_every_story_is_archived_once_and_every_repost_is_its_duplicate(crawls: Crawls, test_web: FixtureWeb) -> None:
    test_web.check_archived_once(crawls.export())


def test_seed_article_is_clean_with_subheads_and_all_paragraphs(crawls: Crawls, test_web: FixtureWeb) -> None:
    seed_url = test_web.sites[0].article_url(test_web.seed)
    (record,) = [r for r in crawls.export() if r["url"] == seed_url]
    assert record["title"] == test_web.seed.title
    assert _words(record["text"].split("\n")) == _words(test_web.seed.paragraphs)
    assert record["published"] == test_web.seed.published
    assert record["language"] == "en"
    (repost,) = record["duplicates"]
    assert repost["site"] == site_of(test_web.sites[1].base_url)
    assert 0.5 < repost["similarity"] < 1.0


def test_no_archived_text_contains_furniture(crawls: Crawls, test_web: FixtureWeb) -> None:
    sites = {site_of(site.base_url): site for site in test_web.sites}
    for record in crawls.export():
        for line in sites[record["site"]].furniture:
            assert line not in record["text"], f"{line!r} in {record['url']}"


def test_a_page_under_a_second_url_is_known_by_its_rel_canonical(crawls: Crawls, news_web: NewsWeb) -> None:
    assert any(r.path.startswith("/print/") for r in news_web.requests)
    for record in crawls.export():
        assert "/print/" not in record["url"]
        assert not [d for d in record["duplicates"] if "/print/" in d["url"]]


def test_export_has_the_documented_fields(crawls: Crawls) -> None:
    record = crawls.export()[0]
    assert set(record) >= {
        "url",
        "title",
        "text",
        "published",
        "author",
        "language",
        "site",
        "first_seen",
        "duplicates",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", record["first_seen"])


def test_robots_txt_is_obeyed(crawls: Crawls, news_web: NewsWeb) -> None:
    paths = [r.path for r in news_web.requests]
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/private/")]
    assert all(r.user_agent.startswith("newsarchive/") for r in news_web.requests)


def test_bad_pages_are_counted_and_the_crawl_goes_on(crawls: Crawls) -> None:
    assert "http_500" in crawls.second.stderr
    assert _summary(crawls.second.stderr)["errors"] >= 1


def test_a_new_process_knows_every_archived_story(crawls: Crawls, test_web: FixtureWeb) -> None:
    summary = _summary(crawls.third.stderr)
    assert summary["articles new"] == 0
    assert summary["duplicates found"] == 0
    stats = newsarchive("stats", env_db=str(crawls.db))  # NEWSARCHIVE_DB names the archive too
    assert stats.returncode == 0
    stories = len(set(test_web.origin.values()))
    assert f"{stories} stories, {len(test_web.origin) - stories} duplicates" in stats.stdout


def test_scrapy_crawl_from_the_repo_root(news_web: NewsWeb, tmp_path) -> None:
    db = tmp_path / "scrapy.db"
    url = news_web.url("China Topix")
    result = run(SCRAPY, "crawl", "news", "-a", f"start_urls={url}", "-s", f"NEWSARCHIVE_DB={db}", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "'newsarchive/stories_new': 5" in result.stderr, result.stderr[-4000:]


def test_crawl_rejects_a_bad_url_clearly(tmp_path) -> None:
    result = newsarchive("crawl", "not-a-url", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "not an http(s) URL: not-a-url" in result.stderr


def test_demo_archives_the_sample_web_and_merges_its_reposts(tmp_path) -> None:
    result = newsarchive("demo", "--db", str(tmp_path / "demo.db"))
    assert result.returncode == 0, result.stderr
    assert _summary(result.stderr) == {
        "pages fetched": _summary(result.stderr)["pages fetched"],
        "articles new": 9,
        "duplicates found": 3,
        "errors": 0,
    }


def test_archived_text_is_closer_to_the_true_text_than_plain_trafilatura(crawls: Crawls, test_web: FixtureWeb) -> None:
    pages = {site.article_url(s): (site, s) for site in test_web.sites for s in site.stories}
    ours, plain = [], []
    for record in crawls.export():
        site, story = pages[record["url"]]
        html = site.render()[site.article_path(story)][2].decode("utf-8")
        ours.append(_token_f1(record["text"], story.paragraphs))
        plain.append(_token_f1(trafilatura.extract(html) or "", story.paragraphs))
    assert sum(ours) / len(ours) > sum(plain) / len(plain)


def test_export_carries_the_full_metadata(crawls: Crawls, test_web: FixtureWeb) -> None:
    ledger = site_of(test_web.sites[1].base_url)
    records = [r for r in crawls.export() if r["site"] == ledger]
    assert records and all(r["authors"] and r["jsonld"] for r in records)
    assert all(r["jsonld"][0]["@type"] == "NewsArticle" for r in records)
    assert {"updated", "canonical_url", "section", "tags", "image", "description"} <= set(records[0])


def _token_f1(text: str, true_lines: list[str]) -> float:
    mine, true = Counter(re.findall(r"\w+", text)), Counter(re.findall(r"\w+", " ".join(true_lines)))
    common = sum((mine & true).values())
    return 2 * common / (sum(mine.values()) + sum(true.values())) if common else 0.0
