"""The User-Agent names newsarchive, its version and the crawl's contact URL; without one, the crawl says so."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy.settings import Settings

from conftest import newsarchive
from crawler import __version__
from crawler import settings as defaults
from crawler.user_agent import ContactUserAgent


def _settings(**values: str) -> Settings:
    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.setdict(values, priority="cmdline")
    return settings


def test_there_is_no_default_contact_url() -> None:
    assert defaults.NEWSARCHIVE_CONTACT_URL == ""


def test_a_contact_url_is_named_in_the_user_agent_and_nothing_is_said(caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(NEWSARCHIVE_CONTACT_URL="https://crawler.example.org/about")
    with caplog.at_level(logging.WARNING):
        ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"] == f"newsarchive/{__version__} (+https://crawler.example.org/about)"
    assert not caplog.records


def test_without_a_contact_the_user_agent_names_none_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings()
    with caplog.at_level(logging.WARNING):
        ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"] == f"newsarchive/{__version__}"
    (record,) = caplog.records
    assert "names no contact" in record.getMessage() and "NEWSARCHIVE_CONTACT_URL" in record.getMessage()


def test_a_user_agent_set_whole_is_kept_without_a_word(caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(USER_AGENT="MyBot/2 (+https://me.example/)")
    with caplog.at_level(logging.WARNING):
        ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"] == "MyBot/2 (+https://me.example/)"
    assert not caplog.records


def test_a_crawl_without_a_contact_says_it_once_as_it_starts(tmp_path: Path) -> None:
    result = newsarchive("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"), "-s", "RETRY_ENABLED=False")
    assert result.stderr.count("names no contact") == 1, result.stderr
    assert result.stderr.index("names no contact") < result.stderr.index("crawl summary")
