"""Crawl-wide discovery and politeness settings: read like any Scrapy setting, bad values named."""

from __future__ import annotations

import pytest

from crawler.config import crawl_limits, sites_to_crawl
from crawler.run import check, crawl_settings
from crawler.user_agent import ContactUserAgent

URL = "http://127.0.0.1:9/"


def test_crawl_wide_limits_come_from_settings(tmp_path) -> None:
    settings = crawl_settings(
        str(tmp_path / "a.db"),
        [
            "NEWSARCHIVE_MAX_PAGES_PER_SITE=40",
            "DEPTH_LIMIT=2",
            "NEWSARCHIVE_MAX_AGE_DAYS=1.5",
            "NEWSARCHIVE_INCLUDE=/world/,/business/",
            "NEWSARCHIVE_EXCLUDE=/live/",
        ],
    )
    limits = crawl_limits(settings)
    assert (limits.max_pages, limits.depth, limits.max_age_days) == (40, 2, 1.5)
    assert (limits.include, limits.exclude) == (("/world/", "/business/"), ("/live/",))


@pytest.mark.parametrize(
    "override,named",
    [
        ("NEWSARCHIVE_MAX_AGE_DAYS=soon", "NEWSARCHIVE_MAX_AGE_DAYS"),
        ("NEWSARCHIVE_EXCLUDE=(", "NEWSARCHIVE_EXCLUDE"),
        ("NEWSARCHIVE_MAX_PAGES_PER_SITE=-1", "NEWSARCHIVE_MAX_PAGES_PER_SITE"),
        ("DEPTH_LIMIT=deep", "DEPTH_LIMIT"),
        ("NEWSARCHIVE_CONTACT_URL=me", "NEWSARCHIVE_CONTACT_URL"),
        ("NEWSARCHIVE_FEED_PATHS=feed", "NEWSARCHIVE_FEED_PATHS"),
        ("NEWSARCHIVE_SITES_ONLY=Herald", "NEWSARCHIVE_SITES_ONLY"),
        ("NEWSARCHIVE_MAX_CRAWL_DELAY=-2", "NEWSARCHIVE_MAX_CRAWL_DELAY"),
    ],
)
def test_a_bad_setting_stops_the_crawl_before_it_starts_and_is_named(override: str, named: str, tmp_path) -> None:
    settings = crawl_settings(str(tmp_path / "a.db"), [override])
    with pytest.raises(ValueError, match=named):
        check(settings, [URL])


def test_a_site_deeper_than_depth_limit_is_refused(tmp_path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(f'[[site]]\nname = "A"\nstart_urls = ["{URL}"]\ndepth = 5\n', "utf-8")
    settings = crawl_settings(str(tmp_path / "a.db"), [f"NEWSARCHIVE_SITES={path}", "DEPTH_LIMIT=3"])
    with pytest.raises(ValueError, match="depth 5 is deeper than DEPTH_LIMIT=3"):
        sites_to_crawl(settings)


def test_a_site_named_twice_is_refused(tmp_path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(f'[[site]]\nname = "A"\nstart_urls = ["{URL}"]\n', "utf-8")
    settings = crawl_settings(str(tmp_path / "a.db"), [f"NEWSARCHIVE_SITES={path}"])
    with pytest.raises(ValueError, match="crawled as two sites: 'A' and '127.0.0.1:9'"):
        sites_to_crawl(settings, [URL])


def test_the_user_agent_names_the_contact_url_unless_user_agent_is_set(tmp_path) -> None:
    settings = crawl_settings(str(tmp_path / "a.db"), ["NEWSARCHIVE_CONTACT_URL=https://me.example/bot"])
    ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"].endswith(" (+https://me.example/bot)")
    assert settings["USER_AGENT"].startswith("newsarchive/")
    settings = crawl_settings(str(tmp_path / "a.db"), ["USER_AGENT=MyBot/1.0"])
    ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"] == "MyBot/1.0"
