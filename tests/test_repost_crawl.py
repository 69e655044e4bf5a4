"""A crawl of the hard syndication sites: every repost linked to its original, no look-alike merged.

``newsarchive crawl`` of the repost web (two wire sites, three local sites
reposting with every edit style and publishing look-alikes), then
``newsarchive export --with-duplicates``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import export_records, newsarchive
from crawler.demo import load_stories
from crawler.demo.newsweb import NewsWeb
from repost_web import RepostWeb, build_repost_web


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[RepostWeb, list[dict]]:
    web = build_repost_web()
    db = tmp_path_factory.mktemp("reposts") / "archive.db"
    with NewsWeb(web.sites) as served:
        result = newsarchive("crawl", *(served.url(site.name) for site in web.sites), "--db", str(db))
        assert result.returncode == 0, result.stderr
        return web, export_records(db)


def test_every_page_of_the_hard_sites_is_archived_once(crawled: tuple[RepostWeb, list[dict]]) -> None:
    web, records = crawled
    urls = [r["url"] for r in records] + [d["url"] for r in records for d in r["duplicates"]]
    assert sorted(urls) == sorted(web.by_url(web.story))


def test_every_repost_is_linked_to_its_original_whatever_its_edit_style(crawled: tuple[RepostWeb, list[dict]]) -> None:
    web, records = crawled
    linked, _ = web.check(records)
    assert linked == Counter(web.style.values())


def test_no_look_alike_is_merged_with_another_story(crawled: tuple[RepostWeb, list[dict]]) -> None:
    web, records = crawled
    _, merged = web.check(records)
    assert merged == Counter()
    assert len(records) == len(set(web.story.values()))


def test_the_original_is_the_canonical_copy_of_each_story(crawled: tuple[RepostWeb, list[dict]]) -> None:
    web, records = crawled
    originals = set(web.by_url({key: key[1] for key in web.originals}))
    canonical = {r["url"] for r in records if r["duplicates"]}
    assert canonical and canonical <= originals


def test_the_demo_shows_each_original_as_the_canonical_copy(tmp_path) -> None:
    db = tmp_path / "demo.db"
    assert newsarchive("demo", "--db", str(db)).returncode == 0
    originals = set(load_stories())
    reposted = [r for r in export_records(db) if r["duplicates"]]
    assert len(reposted) == 3
    for record in reposted:
        assert any(slug in record["url"] for slug in originals), record["url"]
        assert not any(slug in d["url"] for d in record["duplicates"] for slug in originals), record["url"]
