"""Name the tool, its version and a contact URL in every request's User-Agent."""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler import __version__


def user_agent(contact_url: str) -> str:
    """Return the User-Agent of newsarchive: ``newsarchive/0.1.0 (+https://…)``."""
    return f"newsarchive/{__version__} (+{contact_url})"


class ContactUserAgent:
    """Scrapy add-on: build USER_AGENT from NEWSARCHIVE_CONTACT_URL unless USER_AGENT was set.

    An add-on, not a constant in settings.py, so that ``-s NEWSARCHIVE_CONTACT_URL=…``
    reaches the User-Agent and robots.txt matching alike.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["addon"]:
            settings.set("USER_AGENT", user_agent(settings["NEWSARCHIVE_CONTACT_URL"]), priority="addon")
