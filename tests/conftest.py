"""One loopback news web for the whole suite, and the crawls the end-to-end tests read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from crawler.demo.newsweb import NewsWeb
from crawler.demo.newsweb.server import LoggedRequest
from databases import db, postgres  # noqa: F401  (fixtures: every storage test on SQLite and PostgreSQL)
from fixture_web import DiscoveryWeb, FixtureWeb, build_discovery_web, build_test_web

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NEWSARCHIVE = str(BIN / "newsarchive")
SCRAPY = str(BIN / "scrapy")


def run(*args: str, cwd: Path | str = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command as a user would, with a time limit, and return what it did."""
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def newsarchive(*args: str, env_db: str | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run the installed ``newsarchive`` command, showing every Python warning it triggers."""
    env = dict(os.environ, PYTHONWARNINGS="default")
    env.pop("NEWSARCHIVE_DB", None)
    if env_db:
        env["NEWSARCHIVE_DB"] = env_db
    return run(NEWSARCHIVE, *args, env=env, **kwargs)


def table_rows(output: str) -> list[list[str]]:
    """Return the cells of the body rows of a table ``newsarchive`` printed with rich; a wrapped row is joined."""
    rows: list[list[str]] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if rows and not cells[0]:  # the next line of a row whose cells wrapped
            rows[-1] = [" ".join(filter(None, pair)) for pair in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    return rows


@pytest.fixture(scope="session")
def test_web() -> FixtureWeb:
    return build_test_web()


@pytest.fixture(scope="session")
def news_web(test_web: FixtureWeb):
    with NewsWeb(test_web.sites) as web:
        yield web


@dataclass
class Crawls:
    """Three ``newsarchive crawl`` runs, each in its own process, into one archive."""

    db: Path
    first: subprocess.CompletedProcess[str]  # China Topix alone
    second: subprocess.CompletedProcess[str]  # all three sites
    third: subprocess.CompletedProcess[str]  # all three again: nothing new
    requests_before_third: int

    def export(self) -> list[dict]:
        return export_records(self.db)


def export_records(db: Path) -> list[dict]:
    """Return the stories of the archive ``db`` with their duplicates (``newsarchive export --with-duplicates``)."""
    return exported(str(db), "--with-duplicates")


def exported(db: str, *options: str) -> list[dict]:
    """Return the records ``newsarchive export --db DB OPTIONS...`` writes (JSON lines)."""
    result = newsarchive("export", "--db", db, *options)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="session")
def crawls(news_web: NewsWeb, tmp_path_factory: pytest.TempPathFactory) -> Crawls:
    db = tmp_path_factory.mktemp("archive") / "archive.db"
    urls = [news_web.url(name) for name in news_web.sites]
    first = newsarchive("crawl", urls[0], "--db", str(db))
    second = newsarchive("crawl", *urls, "--db", str(db))
    before = len(news_web.requests)
    third = newsarchive("crawl", *urls, "--db", str(db))
    return Crawls(db, first, second, third, before)


#: The contact URL the discovery crawl announces in its User-Agent.
CONTACT_URL = "https://newsarchive.example/contact"


@pytest.fixture(scope="session")
def discovery_web() -> Iterator[tuple[DiscoveryWeb, NewsWeb]]:
    """The discovery web (dated from today) and its server, whose request log the tests read."""
    web = build_discovery_web(datetime.now(UTC).date())
    with NewsWeb(web.sites) as served:
        yield web, served


@dataclass
class LoggedCrawl:
    """One ``newsarchive crawl`` run and the requests the web received during it."""

    db: Path
    result: subprocess.CompletedProcess[str]
    requests: list[LoggedRequest]

    def export(self) -> list[dict]:
        return export_records(self.db)

    def paths(self, site: str) -> list[str]:
        return [r.path for r in self.requests if r.site == site]


def logged_crawl(served: NewsWeb, db: Path, *args: str) -> LoggedCrawl:
    """Run ``newsarchive crawl ARGS --db DB`` and keep the requests it made."""
    before = len(served.requests)
    result = newsarchive("crawl", *args, "--db", str(db))
    return LoggedCrawl(db, result, served.requests[before:])


@pytest.fixture(scope="session")
def discovery_crawl(discovery_web, tmp_path_factory: pytest.TempPathFactory) -> LoggedCrawl:
    """All sites of the discovery web, crawled by URL with a contact URL set."""
    web, served = discovery_web
    db = tmp_path_factory.mktemp("discovery") / "archive.db"
    urls = [served.url(site.name) for site in web.sites]
    return logged_crawl(served, db, *urls, "-s", f"NEWSARCHIVE_CONTACT_URL={CONTACT_URL}")


# hypothesis (tests/test_properties.py, test_fuzz_extraction.py, test_security.py): the same examples on every run,
# so a failure is reproducible (and no timing health check on a loaded machine); HYPOTHESIS_PROFILE=explore draws new ones (and keeps what fails in .hypothesis/)
settings.register_profile(
    "default",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
