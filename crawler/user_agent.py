"""Name the tool, its version and a contact URL in every request's User-Agent."""

from __future__ import annotations

import logging

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler import __version__

logger = logging.getLogger(__name__)


def user_agent(contact_url: str | None) -> str:
    """Return the User-Agent of newsarchive: ``newsarchive/0.1.0 (+https://…)``, or ``newsarchive/0.1.0`` without a contact."""
    return f"newsarchive/{__version__} (+{contact_url})" if contact_url else f"newsarchive/{__version__}"


class ContactUserAgent:
    """Scrapy add-on: build USER_AGENT from NEWSARCHIVE_CONTACT_URL unless USER_AGENT was set.

    An add-on, not a constant in settings.py, so that ``-s NEWSARCHIVE_CONTACT_URL=…``
    reaches the User-Agent and robots.txt matching alike. There is no default contact:
    a crawl without one says so once, as it starts.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        if (settings.getpriority("USER_AGENT") or 0) > SETTINGS_PRIORITIES["addon"]:
            return
        contact = settings.get("NEWSARCHIVE_CONTACT_URL")
        settings.set("USER_AGENT", user_agent(contact), priority="addon")
        if not contact:
            logger.warning(
                "the User-Agent (%s) names no contact: set NEWSARCHIVE_CONTACT_URL to a page that tells site owners "
                "who crawls them, e.g. -s NEWSARCHIVE_CONTACT_URL=https://example.org/crawler (or set USER_AGENT)",
                user_agent(None),
            )
