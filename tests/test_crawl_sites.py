"""``newsarchive crawl --sites sites.toml [--only NAME]``: per-site patterns and limits, clear errors."""

from __future__ import annotations

import re

import pytest

from conftest import LoggedCrawl, logged_crawl, newsarchive
from fixture_web import AGES, DiscoveryWeb


def sites_toml(web: DiscoveryWeb) -> str:
    herald, courier, gazette = (web.site(n) for n in ("Herald", "Courier", "Gazette"))
    return f"""\
[[site]]
name = "Herald"
start_urls = ["{herald.base_url}/"]
exclude = ["/culture/"]
max_age_days = 4
schedule = "30m"

[[site]]
name = "Courier"
start_urls = ["{courier.base_url}/"]
max_pages = 8
schedule = "*/30 * * * *"

[[site]]
name = "Gazette"
start_urls = ["{gazette.base_url}/"]
"""


@pytest.fixture(scope="module")
def sites_crawl(discovery_web, tmp_path_factory: pytest.TempPathFactory) -> LoggedCrawl:
    web, served = discovery_web
    tmp = tmp_path_factory.mktemp("sites")
    (tmp / "sites.toml").write_text(sites_toml(web), "utf-8")
    return logged_crawl(
        served, tmp / "archive.db", "--sites", str(tmp / "sites.toml"), "--only", "Herald", "--only", "Courier"
    )


def test_only_the_named_sites_are_crawled(sites_crawl: LoggedCrawl) -> None:
    assert sites_crawl.result.returncode == 0, sites_crawl.result.stderr
    assert "Warning:" not in sites_crawl.result.stderr
    assert sites_crawl.paths("Herald") and sites_crawl.paths("Courier")
    assert sites_crawl.paths("Gazette") == []


def test_excluded_urls_are_never_requested(sites_crawl: LoggedCrawl) -> None:
    assert not [p for p in sites_crawl.paths("Herald") if "/culture/" in p]


def test_only_stories_newer_than_max_age_days_are_archived(sites_crawl: LoggedCrawl, discovery_web) -> None:
    web: DiscoveryWeb = discovery_web[0]
    herald = web.site("Herald")
    expected = {
        herald.article_url(story) for story, age in zip(herald.stories, AGES) if age < 4 and story.section != "culture"
    }
    archived = {r["url"] for r in sites_crawl.export() if r["url"].startswith(herald.base_url)}
    assert archived == expected


def test_a_site_gets_no_more_than_its_max_pages(sites_crawl: LoggedCrawl) -> None:
    pages = [p for p in sites_crawl.paths("Courier") if p not in ("/robots.txt", "/")]  # both are free
    assert len(pages) == 8


def test_a_bad_sites_file_is_reported_with_its_line_and_key(tmp_path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('[[site]]\nname = "A"\nstart_urls = ["http://127.0.0.1:9/"]\nmax_pages = "many"\n', "utf-8")
    result = newsarchive("crawl", "--sites", str(path), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2
    assert re.search(rf"{re.escape(str(path))}:4: max_pages: must be a whole number", " ".join(result.stderr.split()))


def test_only_without_a_sites_file_is_refused(tmp_path) -> None:
    result = newsarchive("crawl", "--only", "Herald", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2
    assert "--only names sites of a --sites file" in result.stderr


def test_a_bad_crawl_option_is_named(tmp_path) -> None:
    result = newsarchive(
        "crawl", "http://127.0.0.1:9/", "-s", "NEWSARCHIVE_MAX_AGE_DAYS=soon", "--db", str(tmp_path / "a.db")
    )
    assert result.returncode == 2
    assert "NEWSARCHIVE_MAX_AGE_DAYS must be a number, got 'soon'" in result.stderr
