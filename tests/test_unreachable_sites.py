"""A crawl of sites it cannot fetch says so: one line per site naming the cause, exit status 1, run ``failed``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import newsarchive
from crawler.demo.newsweb import NewsWeb, Site
from failing_sites import FailingSite, dead_port
from fixture_web import load_articles

QUICK = ("-s", "AUTOTHROTTLE_START_DELAY=0.1", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0")


def last_run(db: Path) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT finish_reason, errors FROM runs ORDER BY id DESC LIMIT 1").fetchone()


def lines_naming(output: str, text: str) -> list[str]:
    return [line for line in output.splitlines() if text in line]


def test_a_dead_site_fails_the_crawl_in_one_line_without_a_traceback(tmp_path: Path) -> None:
    port = dead_port()
    result = newsarchive("crawl", f"http://127.0.0.1:{port}/", "--db", str(tmp_path / "a.db"), *QUICK)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines_naming(result.stderr, f"127.0.0.1:{port}: connection refused")) == 1, result.stderr
    assert last_run(tmp_path / "a.db")[0] == "failed"
    assert "no start URL could be fetched" in result.stderr


def test_a_site_answering_only_5xx_fails_the_crawl_and_gets_robots_txt_asked_once(tmp_path: Path) -> None:
    with FailingSite("Overloaded", 503) as site:
        result = newsarchive("crawl", site.url, "--db", str(tmp_path / "a.db"), *QUICK)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    name = site.url.removeprefix("http://").rstrip("/")
    assert len(lines_naming(result.stderr, f"{name}: server error 503")) == 1, result.stderr
    assert [r.path for r in site.log].count("/robots.txt") == 1
    reason, errors = last_run(tmp_path / "a.db")
    assert reason == "failed" and errors >= 1


@pytest.mark.parametrize("broken", ["dead", "5xx"])
def test_one_reachable_site_is_enough_for_the_crawl_to_succeed(tmp_path: Path, broken: str) -> None:
    story = next(iter(load_articles().values()))
    healthy = Site("Healthy Herald", "ledger", [story], discovery=("sitemap",))
    with NewsWeb([healthy]) as web, FailingSite("Down", 500) as down:
        other = f"http://127.0.0.1:{dead_port()}/" if broken == "dead" else down.url
        result = newsarchive("crawl", web.url(healthy.name), other, "--db", str(tmp_path / "a.db"), *QUICK)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert last_run(tmp_path / "a.db")[0] == "finished"
