"""Re-crawls through the real ``newsarchive crawl``: what they fetch again, what they archive, versions, run records.

One growing web, crawled five times into one archive: first; unchanged; after
new stories; after edits (two announced by a newer sitemap lastmod / feed date,
one silent); and with ``INCREMENTAL_REFETCH_HOURS``. Requests are counted in
the web server's own log.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pytest

from conftest import exported, newsarchive, table_rows
from crawler.demo.newsweb import NewsWeb, Site, Story
from crawler.demo.newsweb.server import LoggedRequest
from fixture_web import GrowingWeb, build_growing_web

#: Politeness is not what these crawls test: no long first delay on the loopback web.
QUICK = ("-s", "AUTOTHROTTLE_START_DELAY=0.1")
UPDATE = "Update: officials confirmed the figures on Tuesday, after this article was first published."


@dataclass
class Step:
    result: subprocess.CompletedProcess[str]
    requests: list[LoggedRequest]

    def paths(self, site: Site) -> list[str]:
        return [r.path.split("?")[0] for r in self.requests if r.site == site.name]


@dataclass
class Recrawls:
    db: Path
    web: GrowingWeb
    steps: dict[str, Step]
    first_articles: dict[str, set[str]]  # site name -> article paths of the first crawl
    edited: dict[str, Story]  # 'sitemap', 'feed', 'silent' -> the story as first published

    @cached_property
    def export(self) -> dict[str, dict]:
        """Return the exported stories by URL, after the last crawl."""
        return {r["url"]: r for r in exported(str(self.db), "--with-duplicates")}

    def versions(self, url: str) -> list[str]:
        """Return the earlier texts of the story at ``url``, oldest first (read straight from the archive)."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT v.text FROM story_versions v JOIN stories s ON s.id = v.story_id WHERE s.url = ? ORDER BY v.version",
                (url,),
            )
            return [text for (text,) in rows]


def _article_paths(site: Site) -> set[str]:
    paths = {site.article_path(story) for story in site.stories}
    return paths | {"/print" + path for path in paths}


def _edit(site: Site, index: int, updated: str) -> Story:
    """Add a paragraph to a story of ``site``; return the story as it was."""
    story = site.stories[index]
    site.stories[index] = dataclasses.replace(story, body=(*story.body, UPDATE), updated=updated)
    return story


@pytest.fixture(scope="module")
def recrawls(tmp_path_factory: pytest.TempPathFactory) -> Recrawls:
    growing = build_growing_web()
    topix, ledger = growing.sites
    db = tmp_path_factory.mktemp("recrawls") / "archive.db"
    steps: dict[str, Step] = {}
    with NewsWeb(growing.sites) as web:
        urls = [web.url(site.name) for site in growing.sites]

        def crawl(step: str, *args: str) -> None:
            start = len(web.requests)
            steps[step] = Step(newsarchive("crawl", *urls, "--db", str(db), *QUICK, *args), web.requests[start:])

        crawl("first")
        first_articles = {site.name: _article_paths(site) for site in growing.sites}
        crawl("unchanged")
        growing.publish_later()
        web.publish()
        crawl("grown")
        now = datetime.now(UTC).isoformat()
        edited = {"sitemap": _edit(topix, 0, now), "feed": _edit(ledger, 1, now), "silent": _edit(topix, 2, "")}
        web.publish()
        crawl("edited")
        crawl("young", "-s", "INCREMENTAL_REFETCH_HOURS=24")
    return Recrawls(db, growing, steps, first_articles, edited)


def test_every_recrawl_succeeds(recrawls: Recrawls) -> None:
    for name, step in recrawls.steps.items():
        assert step.result.returncode == 0, f"{name}: {step.result.stderr}"
        assert "Warning:" not in step.result.stderr


def test_a_recrawl_of_an_unchanged_web_fetches_no_article_page(recrawls: Recrawls) -> None:
    step = recrawls.steps["unchanged"]
    for site in recrawls.web.sites:
        assert not set(step.paths(site)) & recrawls.first_articles[site.name]
    assert [r.path for r in recrawls.steps["first"].requests if r.status == 304] == []
    revalidated = {r.path for r in step.requests if r.status == 304}
    assert {"/", "/sitemap.xml", "/feed.xml"} <= revalidated


def test_a_page_that_failed_is_tried_again_though_no_changed_page_lists_it(recrawls: Recrawls) -> None:
    topix = recrawls.web.sites[0]
    for step in recrawls.steps.values():
        assert "/story/overloaded.html" in step.paths(topix)
    sitemap = [r for r in recrawls.steps["unchanged"].requests if r.site == topix.name and r.path == "/sitemap.xml"]
    assert {r.status for r in sitemap} == {304}


def test_a_recrawl_archives_every_new_story_and_fetches_no_old_article(recrawls: Recrawls) -> None:
    step = recrawls.steps["grown"]
    for site in recrawls.web.sites:
        assert not set(step.paths(site)) & recrawls.first_articles[site.name]
    archived = set()
    for record in recrawls.export.values():
        archived |= {record["url"], *(d["url"] for d in record["duplicates"])}
    assert set(recrawls.web.article_urls()) <= archived


@pytest.mark.parametrize("announced_by", ["sitemap", "feed"])
def test_an_edit_announced_by_a_newer_date_becomes_a_new_version_of_the_story(
    recrawls: Recrawls, announced_by: str
) -> None:
    before = recrawls.edited[announced_by]
    site = recrawls.web.sites[0 if announced_by == "sitemap" else 1]
    url = site.article_url(before)
    assert site.article_path(before) in recrawls.steps["edited"].paths(site)
    record = recrawls.export[url]
    assert record["text"].endswith(UPDATE)  # the export shows the latest text
    (earlier,) = recrawls.versions(url)  # the first version stays in the archive
    assert before.paragraphs[-1].split()[-1] in earlier and UPDATE not in earlier
    assert sum(1 for r in recrawls.export.values() if r["title"] == before.title) == 1  # not a new story


def test_a_silent_edit_waits_for_the_young_article_option(recrawls: Recrawls) -> None:
    topix = recrawls.web.sites[0]
    before = recrawls.edited["silent"]
    assert topix.article_path(before) not in recrawls.steps["edited"].paths(topix)
    assert topix.article_path(before) in recrawls.steps["young"].paths(topix)
    assert len(recrawls.versions(topix.article_url(before))) == 1
    # every other article was fetched again too, and none of them changed
    versions = sum(len(recrawls.versions(url)) for url in recrawls.web.article_urls())
    assert versions == 3
    # young articles are revalidated with a conditional GET: a page unchanged since its last fetch is a 304
    # (pages first fetched before the later stories were published changed: their related links did)
    young = recrawls.steps["young"]
    statuses = {r.path: r.status for r in young.requests if r.site == topix.name and r.path in _article_paths(topix)}
    refetched = [p for p in recrawls.steps["edited"].paths(topix) if p in _article_paths(topix)]
    assert refetched and {statuses[p] for p in refetched} == {304}
    assert statuses[topix.article_path(before)] == 200


def test_every_run_is_recorded_and_listed(recrawls: Recrawls, monkeypatch: pytest.MonkeyPatch) -> None:
    with sqlite3.connect(recrawls.db) as conn:
        rows = conn.execute(
            "SELECT finish_reason, finished, new_stories, new_versions FROM runs ORDER BY id"
        ).fetchall()
    assert [r[0] for r in rows] == ["finished"] * 5
    assert all(r[1] for r in rows)
    assert [r[2] for r in rows] == [8, 0, 4, 0, 0]
    assert [r[3] for r in rows] == [0, 0, 0, 2, 1]
    monkeypatch.setenv("COLUMNS", "200")
    listed = newsarchive("runs", "--db", str(recrawls.db))
    assert listed.returncode == 0, listed.stderr
    rows = table_rows(listed.stdout)
    assert [row[0] for row in rows] == ["5", "4", "3", "2", "1"]  # newest first
    assert {row[4] for row in rows} == {"finished"}
    assert [row[6] for row in rows] == ["0", "0", "4", "0", "8"]


def test_the_fetch_log_knows_what_became_of_every_url(recrawls: Recrawls) -> None:
    with sqlite3.connect(recrawls.db) as conn:
        log = {url: (kind, outcome) for url, kind, outcome in conn.execute("SELECT url, kind, outcome FROM fetches")}
    topix, ledger = recrawls.web.sites
    for url in recrawls.web.article_urls():
        assert log[url][0] == "article", url
    assert log[topix.base_url + "/"][0] == "listing"
    assert log[topix.base_url + "/sitemap.xml"][0] == "sitemap"
    assert log[ledger.base_url + "/feed.xml"][0] == "feed"
    assert log[ledger.base_url + "/robots.txt"][0] == "robots"
