"""URL canonicalisation: one URL per page, however it was linked."""

import pytest

from crawler.urls import canonical_url, is_http_url, site_of


@pytest.mark.parametrize(
    "linked",
    [
        "http://news.example.com/world/story-1?id=7",
        "HTTP://News.Example.com:80/world/story-1?id=7",
        "http://news.example.com/world/story-1?utm_source=rss&id=7&utm_medium=feed",
        "http://news.example.com/world/story-1?id=7&fbclid=abc#comments",
        "http://news.example.com/world/story-1?gclid=x&id=7",
    ],
)
def test_tracking_parameters_fragments_and_case_do_not_make_a_new_url(linked: str) -> None:
    assert canonical_url(linked) == "http://news.example.com/world/story-1?id=7"


def test_meaningful_query_arguments_are_kept_and_sorted() -> None:
    assert canonical_url("http://x.org/a?story=3&page=2") == "http://x.org/a?page=2&story=3"


def test_site_is_host_and_port_without_www() -> None:
    assert site_of("http://www.example.com/a") == "example.com"
    assert site_of("https://example.com:443/a") == "example.com"
    assert site_of("http://127.0.0.1:8001/a") == "127.0.0.1:8001"
    assert site_of("http://127.0.0.1:8001/a") != site_of("http://127.0.0.1:8002/a")


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://a.org/", True),
        ("ftp://a.org/", False),
        ("a.org/x", False),
        ("", False),
        (None, False),
        ("http://[::1/x", False),
        (" https://a.org/", True),
        (3, False),
    ],
)
def test_only_absolute_http_urls_are_crawlable(url: object, ok: bool) -> None:
    assert is_http_url(url) is ok
