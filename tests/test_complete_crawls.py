"""Crawls that miss nothing and waste nothing, read from the loopback web's own request log.

One deep web (tests/fixture_web.py: ``build_deep_web``), crawled three times into one
archive: first; again, unchanged; again after each site published a story and
edited one, the edit dated yesterday, to the day, in the site's own time zone.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pytest

from conftest import LoggedCrawl, exported, logged_crawl
from crawler.demo.newsweb import NewsWeb, Site
from fixture_web import DeepWeb, build_deep_web
from storage import Archive
from storage.read.site_report import site_reports

QUICK = ("-s", "AUTOTHROTTLE_START_DELAY=0.1")
ADDITION = "Correction: an earlier version of this story gave the wrong day for the hearing; it is on the 14th."


def articles(step: LoggedCrawl, web: DeepWeb, site: Site) -> set[str]:
    """Return the article pages (by their own URL or print view) of ``site`` the crawl requested."""
    return {p.removeprefix("/print").split("?")[0] for p in step.paths(site.name)} & web.article_paths(site)


@dataclass
class Crawls:
    db: Path
    web: DeepWeb
    steps: dict[str, LoggedCrawl]
    before_change: dict[str, set[str]]  # site -> article paths before the change

    @cached_property
    def export(self) -> dict[str, dict]:
        return {r["url"]: r for r in exported(str(self.db), "--with-duplicates")}

    def archived_urls(self) -> set[str]:
        return {u for r in self.export.values() for u in (r["url"], *(d["url"] for d in r["duplicates"]))}

    def runs(self) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(
                "SELECT finish_reason, pages, new_stories, new_versions, errors FROM runs ORDER BY id"
            ).fetchall()


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Crawls:
    web = build_deep_web(datetime.now(UTC).date())
    db = tmp_path_factory.mktemp("deep") / "archive.db"
    steps: dict[str, LoggedCrawl] = {}
    with NewsWeb(web.sites) as served:
        urls = [served.url(site.name) for site in web.sites]

        def crawl(step: str) -> None:
            # a crawl set up as a user should (a contact named) has nothing to warn about
            steps[step] = logged_crawl(
                served, db, *urls, *QUICK, "-s", "NEWSARCHIVE_CONTACT_URL=http://127.0.0.1/contact"
            )

        crawl("first")
        before = {site.name: web.article_paths(site) for site in web.sites}
        crawl("unchanged")
        web.change(ADDITION)
        served.publish()
        crawl("changed")
    return Crawls(db, web, steps, before)


def test_every_crawl_succeeds_without_an_error_or_a_warning(crawls: Crawls) -> None:
    for name, step in crawls.steps.items():
        assert step.result.returncode == 0, f"{name}: {step.result.stderr}"
        assert "WARNING" not in step.result.stderr and "Traceback" not in step.result.stderr, name
    assert [(reason, errors) for reason, _, _, _, errors in crawls.runs()] == [("finished", 0)] * 3


def test_a_first_crawl_archives_every_story_the_deep_archive_and_the_briefs_included(crawls: Crawls) -> None:
    archived = crawls.archived_urls()
    for site in crawls.web.sites:
        first = [s for s in site.stories if site.article_path(s) in crawls.before_change[site.name]]
        missing = {s.slug for s in first if site.article_url(s) not in archived}
        assert not missing, f"{site.name}: {missing}"
        assert crawls.web.deep_paths(site) <= articles(crawls.steps["first"], crawls.web, site)


def test_next_pages_are_no_link_hops(crawls: Crawls) -> None:
    """DEPTH_LIMIT is 3: page 6 of an archive linked from the footer is 7 next-page links from home."""
    for site in crawls.web.sites:
        archive = [p for p in crawls.steps["first"].paths(site.name) if p.startswith("/archive/")]
        assert len(set(archive)) == 6, f"{site.name}: {archive}"


def test_an_unchanged_recrawl_fetches_no_article_no_next_page_and_no_missing_feed(crawls: Crawls) -> None:
    step = crawls.steps["unchanged"]
    for site in crawls.web.sites:
        assert articles(step, crawls.web, site) == set(), site.name
        assert [p for p in step.paths(site.name) if p.startswith("/archive/")] == ["/archive/"], site.name
    assert [r.path for r in step.requests if r.status >= 400] == []  # probed feed paths are not tried again
    assert {r.status for r in step.requests} <= {200, 304}


def test_robots_txt_is_fetched_once_per_site_per_crawl(crawls: Crawls) -> None:
    for name, step in crawls.steps.items():
        robots = Counter(r.site for r in step.requests if r.path == "/robots.txt")
        assert robots == {site.name: 1 for site in crawls.web.sites}, name


def test_a_recrawl_after_changes_fetches_what_changed_and_nothing_else(crawls: Crawls) -> None:
    step = crawls.steps["changed"]
    for site in crawls.web.sites:
        edited = crawls.web.edited[site.name]
        expected = (crawls.web.article_paths(site) - crawls.before_change[site.name]) | {site.article_path(edited)}
        assert articles(step, crawls.web, site) == expected, site.name


def test_every_new_story_is_archived_and_every_edit_dated_in_the_sites_clock_is_a_new_version(crawls: Crawls) -> None:
    archived = crawls.archived_urls()
    for site in crawls.web.sites:
        assert {site.article_url(s) for s in site.stories} <= archived, site.name
        before = crawls.web.edited[site.name]
        record = crawls.export[site.article_url(before)]
        assert record["text"].endswith(ADDITION) and record["title"] == before.title + " (updated)"
        with sqlite3.connect(crawls.db) as conn:
            (earlier,) = conn.execute(
                "SELECT v.text FROM story_versions v JOIN stories s ON s.id = v.story_id WHERE s.url = ?",
                (site.article_url(before),),
            ).fetchone()
        assert ADDITION not in earlier
    new_versions = [versions for _, _, _, versions, _ in crawls.runs()]
    assert new_versions == [0, 0, len(crawls.web.sites)]


def test_a_paginated_listing_is_walked_on_a_recrawl_only_until_a_page_lists_nothing_new(crawls: Crawls) -> None:
    for site in crawls.web.sites:
        archive = [p for p in crawls.steps["changed"].paths(site.name) if p.startswith("/archive/")]
        assert 1 <= len(archive) <= 2, f"{site.name}: {archive}"


def test_a_probed_feed_path_that_finds_nothing_is_no_error_and_no_feed(crawls: Crawls) -> None:
    post = crawls.web.site("Evening Post")
    probed = [r for r in crawls.steps["first"].requests if r.site == post.name and r.status == 404]
    assert {r.path for r in probed} >= {"/feed", "/rss", "/atom.xml"}
    with sqlite3.connect(crawls.db) as conn:
        rows = conn.execute(
            "SELECT kind, outcome FROM fetches WHERE url LIKE ? AND status = 404", (post.base_url + "/%",)
        )
        assert set(rows) == {("probe", "absent")}
    with Archive(str(crawls.db)) as archive:
        assert {report.site: report.errors for report in site_reports(archive)} == dict.fromkeys(
            (s.base_url.removeprefix("http://") for s in crawls.web.sites), 0
        )


@dataclass
class ArticleStart:
    db: Path
    site: Site
    start: str
    steps: list[LoggedCrawl]


@pytest.fixture(scope="module")
def article_start(tmp_path_factory: pytest.TempPathFactory) -> ArticleStart:
    """An article URL as the only start URL, twice, with stories older than 100 days too old to archive."""
    web = build_deep_web(datetime.now(UTC).date())
    db = tmp_path_factory.mktemp("article-start") / "archive.db"
    post = web.site("Evening Post")
    with NewsWeb([post]) as served:
        story = next(s for s in post.stories if s.slug not in post.deep and len(s.body) > 2)
        start = post.article_url(story)
        steps = []
        for _ in range(2):
            steps.append(logged_crawl(served, db, start, *QUICK, "-s", "NEWSARCHIVE_MAX_AGE_DAYS=100"))
    return ArticleStart(db, post, start, steps)


def test_a_start_url_that_is_an_article_is_archived_and_its_links_followed(article_start: ArticleStart) -> None:
    first = article_start.steps[0]
    assert first.result.returncode == 0, first.result.stderr
    urls = {r["url"] for r in exported(str(article_start.db))}
    assert article_start.start in urls
    recent = {
        article_start.site.article_url(s) for s in article_start.site.stories if s.slug not in article_start.site.deep
    }
    assert recent <= urls
    with sqlite3.connect(article_start.db) as conn:
        assert conn.execute("SELECT kind FROM fetches WHERE url = ?", (article_start.start,)).fetchone() == ("article",)


def test_a_too_old_article_counts_as_too_old_not_as_an_error(article_start: ArticleStart) -> None:
    site = article_start.site
    deep = [site.article_url(s) for s in site.stories if s.slug in site.deep]
    with sqlite3.connect(article_start.db) as conn:
        outcomes = {
            url: conn.execute("SELECT kind, outcome FROM fetches WHERE url = ?", (url,)).fetchone() for url in deep
        }
        errors = conn.execute("SELECT errors, errors_by_kind FROM runs ORDER BY id").fetchall()
    assert set(outcomes.values()) == {("article", "too_old")}
    assert errors == [(0, "{}")] * 2
    with Archive(str(article_start.db)) as archive:
        assert [report.errors for report in site_reports(archive)] == [0]
    second = article_start.steps[1]
    assert not {p.split("?")[0] for p in second.paths(site.name)} & {
        site.article_path(s) for s in site.stories if s.slug in site.deep
    }


def _pages_recorded(db: Path) -> int:
    """Return the pages the newest run record holds, read as another process would while the crawl writes."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return (conn.execute("SELECT pages FROM runs ORDER BY id DESC LIMIT 1").fetchone() or (0,))[0]
    except sqlite3.Error:
        return 0


def test_a_crawl_killed_in_a_deep_archive_shows_what_it_did_and_resumes_to_every_story(tmp_path: Path) -> None:
    from test_resume import NEWSARCHIVE, SLOW, _count, _until

    web = build_deep_web(datetime.now(UTC).date())
    db = tmp_path / "archive.db"
    with NewsWeb(web.sites) as served:
        urls = [served.url(site.name) for site in web.sites]
        process = subprocess.Popen(
            [NEWSARCHIVE, "crawl", *urls, "--db", str(db), *SLOW], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:  # the run record says what the crawl did while it runs, not only at its end
            _until(lambda: _count(db, "stories") >= 3 and _pages_recorded(db) > 0, process)
        finally:
            process.kill()
            process.wait()
        killed = _count(db, "stories")
        resumed = logged_crawl(served, db, *urls, *QUICK)
    assert resumed.result.returncode == 0, resumed.result.stderr
    total = sum(len(site.stories) for site in web.sites)
    assert 3 <= killed < total
    records = exported(str(db), "--with-duplicates")
    urls_archived = [u for r in records for u in (r["url"], *(d["url"] for d in r["duplicates"]))]
    assert len(urls_archived) == len(set(urls_archived)) == total
    assert {site.article_url(s) for site in web.sites for s in site.stories} == set(urls_archived)
