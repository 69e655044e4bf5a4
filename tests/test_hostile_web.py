"""A crawl of a hostile web: each fault gets its right outcome, the rest of each site is archived, nothing crashes.

One crawl of seven sites, each going wrong its own way (see tests/hostile_web.py),
read by every test here; then a page served cut short, crawled twice.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import newsarchive
from crawler.demo.newsweb import Site, Story
from fixture_web import load_articles
from hostile_web import (
    Binary,
    Body,
    Busy,
    Charset,
    CutShort,
    DropMidBody,
    Fault,
    GzipBomb,
    Hang,
    HostileWeb,
    Junk,
    Loop,
    Redirect,
    Status,
)

FAST = (
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    "-s", "DOWNLOAD_TIMEOUT=4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
)  # fmt: skip

#: Stories with typographic quotes and dashes, served in the wrong charset.
CHARSET_SLUGS = (
    "doobie-brothers-to-reunite-with-michael-mcdonald-for-blossom",
    "alibaba-to-raise-up-to-12-9bn-in-landmark-hong-kong-listing",
    "uk-tories-under-fire-for-twitter-name-switch-during-debate",
)


@dataclasses.dataclass
class HostileCrawl:
    web: HostileWeb
    db: Path
    result: Any
    #: every article page of the crawled sites that is served whole in the end, by site
    articles: dict[str, list[str]]

    def archived_urls(self) -> set[str]:
        with sqlite3.connect(self.db) as conn:
            return {url for (url,) in conn.execute("SELECT url FROM sightings")}

    def run(self) -> dict[str, Any]:
        with sqlite3.connect(self.db) as conn:
            conn.row_factory = sqlite3.Row
            return dict(conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone())

    def text_at(self, url: str) -> str:
        with sqlite3.connect(self.db) as conn:
            row = conn.execute(
                "SELECT coalesce(g.text, s.text) FROM sightings g JOIN stories s ON s.id = g.story_id WHERE g.url = ?",
                (url,),
            ).fetchone()
        assert row is not None, f"{url} is not archived"
        return row[0]


def _sites() -> tuple[list[Site], dict[tuple[str, str], Fault], Site]:
    stories = load_articles()
    charset = [stories[slug] for slug in CHARSET_SLUGS]
    rest = [s for slug, s in stories.items() if slug not in CHARSET_SLUGS]
    assert len(rest) == 12
    busy = Site("Beacon Daily", "ledger", rest, discovery=("sitemap", "feed"))
    broken_pages = ("/junk.html", "/bomb.html", "/loop-a.html", "/loop-b.html", "/away.html", "/image.html")
    broken = Site(
        "Cracked Wire",
        "wire",
        rest[:3],
        discovery=("sitemap",),
        broken={p: (200, "text/html", b"<html></html>") for p in (*broken_pages, "/dropped.html", "/stuck.html")},
    )
    feeds = Site("Garbled Gazette", "topix", rest[3:6], discovery=("sitemap", "feed", "news-sitemap"))
    huge_robots = Site("Long Rules Ledger", "ledger", rest[6:8])
    empty_robots = Site("Open Door Times", "ledger", rest[8:10])
    robots_down = Site("Closed Door Post", "wire", rest[10:12])
    charsets = Site("Mojibake Monitor", "topix", charset)
    elsewhere = Site("Elsewhere Echo", "ledger", rest[:1])  # not crawled: redirects point there
    sites = [busy, broken, feeds, huge_robots, empty_robots, robots_down, charsets, elsewhere]

    faults: dict[tuple[str, str], Fault] = {}
    path = busy.article_path
    # a busy site: 503 with Retry-After for a second whatever the tries, 429 once, 503 twice, a drop, a time-out
    faults[(busy.name, path(rest[0]))] = Busy(seconds=1.5)
    faults[(busy.name, path(rest[1]))] = Status(times=1, status=429, retry_after="1")
    faults[(busy.name, path(rest[2]))] = Status(times=2, status=503)
    faults[(busy.name, path(rest[3]))] = DropMidBody(times=1)
    faults[(busy.name, path(rest[4]))] = Hang(times=1)
    faults[(broken.name, "/junk.html")] = Junk()
    faults[(broken.name, "/bomb.html")] = GzipBomb()
    faults[(broken.name, "/loop-a.html")] = Loop(to="/loop-b.html")
    faults[(broken.name, "/loop-b.html")] = Loop(to="/loop-a.html")
    faults[(broken.name, "/image.html")] = Binary()
    faults[(broken.name, "/dropped.html")] = DropMidBody()
    faults[(broken.name, "/stuck.html")] = Hang()
    # feeds and sitemaps: bad XML, bad dates, 50,000 entries
    faults[(feeds.name, "/sitemap.xml")] = Body(ctype="application/xml", body=_bad_xml_sitemap())
    faults[(feeds.name, "/feed.xml")] = Body(ctype="application/rss+xml", body=_bad_feed())
    faults[(feeds.name, "/news-sitemap.xml")] = Body(ctype="application/xml", body=b"")  # set once ports are known
    faults[(huge_robots.name, "/robots.txt")] = Body(body=_huge_robots())
    faults[(empty_robots.name, "/robots.txt")] = Body(body=b"")
    faults[(robots_down.name, "/robots.txt")] = Status(status=503)
    cases = (("cp1252", "utf-8"), ("utf-8", "windows-1252"), ("utf-8", None))
    for story, (actual, declared) in zip(charset, cases):
        faults[(charsets.name, charsets.article_path(story))] = Charset(actual=actual, declared=declared)
    return sites, faults, elsewhere


def _bad_xml_sitemap() -> bytes:
    """A sitemap whose XML breaks half way: an unescaped ampersand, then no closing tags."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://127.0.0.1:1/?a=1&b=2</loc><lastmod>not a date</lastmod></url><url><loc>"
    )


def _bad_feed() -> bytes:
    """An RSS feed with dates no parser knows, an entry without a link and a broken end."""
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Garbled</title>'
        b"<item><title>No link here</title><pubDate>Thursday, 45 Smarch 2019</pubDate></item>"
        b"<item><title>Broken & unescaped</title><link>/nowhere</link><pubDate>yesterday-ish</pubDate>"
    )


def _huge_robots() -> bytes:
    """A 600 KB robots.txt: thousands of rules for other paths, then the site's own."""
    rules = "".join(f"Disallow: /old/archive/{i}/\n" for i in range(25_000))
    return ("User-agent: *\n" + rules + "Disallow: /private/\n").encode()


def _news_sitemap(site: Site, stories: list[Story]) -> bytes:
    """A news sitemap of 50,000 entries: the site's stories with dates no parser knows, then entries off-site."""
    entries = [
        f"<url><loc>{site.article_url(s)}</loc><lastmod>2019-13-45T99:99</lastmod>"
        "<news:news><news:publication_date>last Tuesday</news:publication_date></news:news></url>"
        for s in stories
    ]
    entries += [f"<url><loc>http://news.invalid/story/{i}.html</loc></url>" for i in range(50_000 - len(entries))]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(entries) + "</urlset>"
    ).encode()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    sites, faults, elsewhere = _sites()
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    with HostileWeb(sites, faults) as web:
        feeds = web.sites["Garbled Gazette"]
        faults[(feeds.name, "/news-sitemap.xml")] = Body(
            ctype="application/xml", body=_news_sitemap(feeds, feeds.stories)
        )
        web.faults.update(faults)
        faults[("Cracked Wire", "/away.html")] = Redirect(location=web.url(elsewhere.name))
        web.faults.update(faults)
        crawled = [s for s in sites if s is not elsewhere]
        result = newsarchive("crawl", *(web.url(s.name) for s in crawled), "--db", str(db), *FAST)
        articles = {s.name: [s.article_url(story) for story in s.stories] for s in crawled}
        yield HostileCrawl(web, db, result, articles)


def test_the_crawl_ends_well_without_a_traceback(hostile: HostileCrawl) -> None:
    output = hostile.result.stderr + hostile.result.stdout
    assert hostile.result.returncode == 0, output[-3000:]
    assert "Traceback" not in output
    assert not [line for line in output.splitlines() if " ERROR" in line or "[ERROR]" in line], output[-3000:]
    assert hostile.run()["finish_reason"] == "finished"


def test_pages_that_answer_busy_or_fail_once_are_retried_and_archived(hostile: HostileCrawl) -> None:
    archived = hostile.archived_urls()
    missing = [url for url in hostile.articles["Beacon Daily"] if url not in archived]
    assert not missing, missing


def test_a_busy_page_is_retried_after_the_wait_its_retry_after_asks(hostile: HostileCrawl) -> None:
    site = hostile.web.sites["Beacon Daily"]
    tries = hostile.web.requests_of(site.name, site.article_path(site.stories[0]))
    assert [r.status for r in tries][-1] == 200
    assert all(b.at - a.at >= 0.9 for a, b in itertools.pairwise(tries)), [round(r.at - tries[0].at, 2) for r in tries]


def test_the_rest_of_every_site_is_archived(hostile: HostileCrawl) -> None:
    archived = hostile.archived_urls()
    for name in ("Cracked Wire", "Garbled Gazette", "Long Rules Ledger", "Open Door Times", "Mojibake Monitor"):
        missing = [url for url in hostile.articles[name] if url not in archived]
        assert not missing, f"{name}: {missing}"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/junk.html", "maxsize"),
        ("/bomb.html", "maxsize"),
        ("/loop-a.html", "too_many_redirects"),
        ("/away.html", "offsite"),
        ("/image.html", "not_html"),
    ],
)
def test_a_page_that_cannot_be_archived_is_skipped_with_its_reason_counted(
    hostile: HostileCrawl, path: str, reason: str
) -> None:
    site = hostile.web.sites["Cracked Wire"]
    assert site.base_url + path not in hostile.archived_urls()
    assert hostile.run()["skipped_by_kind"] and json.loads(hostile.run()["skipped_by_kind"]).get(reason, 0) >= 1, (
        hostile.run()["skipped_by_kind"]
    )


def test_pages_that_never_answer_whole_are_counted_as_errors_and_tried_no_more_than_the_retries(
    hostile: HostileCrawl,
) -> None:
    errors = json.loads(hostile.run()["errors_by_kind"])
    assert errors.get("connection_lost", 0) >= 1 and errors.get("timeout", 0) >= 1, errors
    for path in ("/dropped.html", "/stuck.html"):
        assert len(hostile.web.requests_of("Cracked Wire", path)) == 3  # RETRY_TIMES=2


def test_a_redirect_off_the_crawled_sites_is_not_followed(hostile: HostileCrawl) -> None:
    assert not [r for r in hostile.web.requests if r.site == "Elsewhere Echo"]


def test_a_redirect_loop_is_capped(hostile: HostileCrawl) -> None:
    loop = hostile.web.requests_of("Cracked Wire", "/loop-a.html") + hostile.web.requests_of(
        "Cracked Wire", "/loop-b.html"
    )
    assert len(loop) == 2 * 6  # the sitemap names both: each asked, then redirected REDIRECT_MAX_TIMES=5 times


def test_a_robots_txt_answering_5xx_means_complete_disallow(hostile: HostileCrawl) -> None:
    asked = [r.path for r in hostile.web.requests if r.site == "Closed Door Post"]
    assert asked == ["/robots.txt"], asked
    assert json.loads(hostile.run()["skipped_by_kind"]).get("robots_unavailable", 0) >= 1


@pytest.mark.parametrize("index", range(3), ids=["utf-8-declared-cp1252-sent", "cp1252-declared-utf-8-sent", "none"])
def test_a_page_in_the_wrong_charset_is_archived_with_its_own_characters(hostile: HostileCrawl, index: int) -> None:
    site = hostile.web.sites["Mojibake Monitor"]
    story = site.stories[index]
    text = hostile.text_at(site.article_url(story))
    assert "\ufffd" not in text and "â€" not in text
    quoted = next(p for p in story.paragraphs if any(c in p for c in "’“”–—£"))
    assert quoted in text


# -- a page cut short ----------------------------------------------------


def _cut_site() -> Site:
    stories = load_articles()
    slugs = (
        "the-doobie-brothers-set-50th-anniversary-tour-of-north-ameri",
        "us-service-members-killed-in-afghanistan-helicopter-crash",
        "south-korea-s-roadmap-to-drive-down-solar-costs",
    )
    return Site("Torn Page Tribune", "ledger", [stories[s] for s in slugs], discovery=("sitemap",))


def _export(db: Path) -> dict[str, dict[str, Any]]:
    result = newsarchive("export", "--db", str(db), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return {r["url"]: r for r in map(json.loads, result.stdout.splitlines())}


def test_a_page_cut_short_is_archived_incomplete_then_replaced_by_its_whole_copy(tmp_path: Path) -> None:
    site = _cut_site()
    torn = site.stories[0]
    db = tmp_path / "archive.db"
    with HostileWeb([site], {(site.name, site.article_path(torn)): CutShort(times=1)}) as web:
        url = site.article_url(torn)
        first = newsarchive("crawl", web.url(site.name), "--db", str(db), *FAST)
        assert first.returncode == 0, first.stderr
        cut = _export(db)
        assert cut[url]["incomplete"] is True
        assert torn.paragraphs[-1] not in cut[url]["text"] and torn.paragraphs[0] in cut[url]["text"]
        assert [r["incomplete"] for u, r in cut.items() if u != url] == [False, False]
        page = newsarchive("show", url, "--db", str(db))
        assert "incomplete" in page.stdout.lower(), page.stdout

        second = newsarchive("crawl", web.url(site.name), "--db", str(db), *FAST)
        assert second.returncode == 0, second.stderr
        assert len(web.requests_of(site.name, site.article_path(torn))) == 2
        whole = _export(db)
    assert whole[url]["incomplete"] is False
    assert torn.paragraphs[-1] in whole[url]["text"]
    with sqlite3.connect(db) as conn:
        versions = conn.execute("SELECT text FROM story_versions").fetchall()
    assert [v for (v,) in versions] == [cut[url]["text"]]


def test_a_whole_copy_is_never_replaced_by_a_copy_cut_short(tmp_path: Path) -> None:
    site = _cut_site()
    story = site.stories[1]
    db = tmp_path / "archive.db"
    refetch = ("-s", "INCREMENTAL_REFETCH_HOURS=24")  # the second crawl fetches every article again
    with HostileWeb([site], {}) as web:
        assert newsarchive("crawl", web.url(site.name), "--db", str(db), *FAST).returncode == 0
        web.faults[(site.name, site.article_path(story))] = CutShort()
        again = newsarchive("crawl", web.url(site.name), "--db", str(db), *FAST, *refetch)
        assert again.returncode == 0, again.stderr
        assert len(web.requests_of(site.name, site.article_path(story))) == 2
    record = _export(db)[site.article_url(story)]
    assert record["incomplete"] is False and story.paragraphs[-1] in record["text"]
