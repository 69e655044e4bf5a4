"""The User-Agent add-on in a crawler: its USER_AGENT is on every request and is what robots.txt is matched with
(crawler.user_agent); how the add-on builds the value is in test_user_agent.py."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.http import TextResponse

from crawler import __version__
from crawler import settings as project
from crawler.middlewares.crawl_delay import CrawlDelay
from unit_crawler import slot_made_for, unit_crawler

CONTACT = "https://newsarchive.example/contact"


class OwnAgentSpider(Spider):
    name = "own-agent"
    custom_settings = {"USER_AGENT": "LedgerBot/1 (+https://ledger.example/bot)"}


def sent_user_agent(spidercls: type[Spider] = Spider, **settings: object) -> str:
    """Return the User-Agent header Scrapy's UserAgentMiddleware puts on a request of a crawl with the project's
    add-ons and ``settings``."""
    crawler = unit_crawler({"ADDONS": project.ADDONS, **settings}, spidercls)
    request = Request("http://127.0.0.1:8001/")
    UserAgentMiddleware.from_crawler(crawler).process_request(request)
    return request.headers["User-Agent"].decode()


def test_every_request_names_the_tool_its_version_and_the_contact() -> None:
    assert sent_user_agent(NEWSARCHIVE_CONTACT_URL=CONTACT) == f"newsarchive/{__version__} (+{CONTACT})"


def test_without_a_contact_requests_name_the_tool_and_its_version() -> None:
    assert sent_user_agent() == f"newsarchive/{__version__}"


def test_a_user_agent_set_in_the_settings_goes_out_as_it_is() -> None:
    assert sent_user_agent(USER_AGENT="MyBot/2 (+https://me.example/)", NEWSARCHIVE_CONTACT_URL=CONTACT) == (
        "MyBot/2 (+https://me.example/)"
    )


def test_a_user_agent_a_spider_sets_for_itself_goes_out_as_it_is() -> None:
    agent = sent_user_agent(OwnAgentSpider, NEWSARCHIVE_CONTACT_URL=CONTACT)
    assert agent == "LedgerBot/1 (+https://ledger.example/bot)"


@pytest.mark.parametrize("contact", [CONTACT, ""])
def test_robots_txt_is_matched_with_the_user_agent_the_add_on_built(contact: str) -> None:
    settings = {"NEWSARCHIVE_CONTACT_URL": contact, "ROBOTSTXT_OBEY": True, "NEWSARCHIVE_MAX_CRAWL_DELAY": 60.0}
    crawler = unit_crawler({"ADDONS": project.ADDONS, **settings})
    mw = CrawlDelay.from_crawler(crawler)
    robots = Request("http://127.0.0.1:8001/robots.txt")
    body = b"User-agent: newsarchive\nCrawl-delay: 2\n\nUser-agent: *\nCrawl-delay: 10\n"
    mw.process_response(robots, TextResponse(robots.url, body=body, request=robots))
    assert (
        slot_made_for(crawler, Request("http://127.0.0.1:8001/"))[1].delay == 2.0
    )  # the newsarchive group's, not everyone's
