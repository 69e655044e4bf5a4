"""Discovery through the real ``newsarchive crawl``: sitemaps, feeds, pagination; articles told from listings."""

from __future__ import annotations

from conftest import LoggedCrawl
from fixture_web import DiscoveryWeb


def test_the_discovery_crawl_succeeds_without_warnings(discovery_crawl: LoggedCrawl) -> None:
    assert discovery_crawl.result.returncode == 0, discovery_crawl.result.stderr
    assert "Warning:" not in discovery_crawl.result.stderr


def test_every_article_is_archived_and_no_other_page(discovery_crawl: LoggedCrawl, discovery_web) -> None:
    web: DiscoveryWeb = discovery_web[0]
    archived = [record["url"] for record in discovery_crawl.export()]
    assert sorted(archived) == sorted(web.article_urls())


def test_listing_pages_are_followed(discovery_crawl: LoggedCrawl, discovery_web) -> None:
    web: DiscoveryWeb = discovery_web[0]
    for site in web.sites:
        paths = discovery_crawl.paths(site.name)
        for listing in ("/tag/world-news-today/", "/author/", "/about/", "/search?q=news", "/section/world/"):
            assert any(p.startswith(listing) for p in paths), f"{site.name} {listing} not fetched"


def test_a_sitemap_index_named_by_robots_txt_is_read(discovery_crawl: LoggedCrawl) -> None:
    paths = discovery_crawl.paths("Herald")
    assert "/sitemap-index.xml" in paths and "/sitemap-articles.xml" in paths


def test_an_unannounced_sitemap_and_feed_are_found_at_their_usual_paths(discovery_crawl: LoggedCrawl) -> None:
    assert "/sitemap.xml" in discovery_crawl.paths("Courier")
    assert "/atom.xml" in discovery_crawl.paths("Gazette")


def test_next_pages_are_followed_by_link_and_by_rel_next(discovery_crawl: LoggedCrawl) -> None:
    assert "/section/world/page/2/" in discovery_crawl.paths("Herald")
    assert "/section/world/?page=2" in discovery_crawl.paths("Courier")  # announced only by <link rel="next">
