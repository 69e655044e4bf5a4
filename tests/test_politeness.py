"""Politeness, read from the test web's request log: robots.txt, Crawl-delay, User-Agent."""

from __future__ import annotations

from itertools import pairwise
from statistics import median

from protego import Protego

from conftest import CONTACT_URL, LoggedCrawl
from crawler import __version__
from fixture_web import DiscoveryWeb


def test_no_disallowed_url_is_ever_requested(discovery_crawl: LoggedCrawl, discovery_web) -> None:
    web: DiscoveryWeb = discovery_web[0]
    robots = {site.name: Protego.parse(site.render()["/robots.txt"][2].decode()) for site in web.sites}
    for request in discovery_crawl.requests:
        assert robots[request.site].can_fetch(request.path, request.user_agent), f"{request.site} {request.path}"
    for site in web.sites:  # the disallowed page is linked from every page
        assert "/private/subscribers.html" in site.render()["/"][2].decode()


def test_every_request_names_the_tool_its_version_and_the_contact_url(discovery_crawl: LoggedCrawl) -> None:
    agents = {r.user_agent for r in discovery_crawl.requests}
    assert agents == {f"newsarchive/{__version__} (+{CONTACT_URL})"}


def test_crawl_delay_spaces_the_requests_to_that_site(discovery_crawl: LoggedCrawl, discovery_web) -> None:
    gazette = discovery_web[0].site("Gazette")
    times = [r.at for r in discovery_crawl.requests if r.site == "Gazette"]
    assert len(times) > 20
    # The first request fetches robots.txt, which tells the delay. The server logs a request when
    # its thread runs, late by a few ms, more on a loaded machine: one late entry shortens one gap.
    gaps = [later - earlier for earlier, later in pairwise(times[1:])]
    assert median(gaps) >= 0.9 * gazette.crawl_delay
    short = [gap for gap in gaps if gap < 0.5 * gazette.crawl_delay]
    assert len(short) <= len(gaps) // 10, sorted(gaps)[:5]


def test_sites_without_crawl_delay_are_not_slowed_to_it(discovery_crawl: LoggedCrawl) -> None:
    times = [r.at for r in discovery_crawl.requests if r.site == "Herald"]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert min(gaps) < 0.05  # AutoThrottle lets a fast site go faster than Gazette's Crawl-delay
