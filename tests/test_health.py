"""Extraction health: what each crawl records per site, and which sites ``newsarchive health`` flags.

The drift web is crawled twice into one archive; between the crawls one site relaunches its template
(its story text moves into a script's JSON), one carries on as before and one has a day of short briefs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from conftest import newsarchive, table_rows
from crawler.demo.newsweb import NewsWeb
from crawler.extensions.archive import ArchiveOwner
from crawler.extensions.health import ExtractionHealth
from crawler.items import PageItem
from crawler.outcomes import Outcome, PageDropped
from crawler.urls import site_of
from fixture_web import DriftWeb, build_drift_web
from storage import Archive
from storage.health import HealthRule, RunHealth, history, judge, latest_verdicts, run_verdicts, save_health
from storage.runs import start_run

#: Politeness and worker timeouts are not what these crawls test: no long first delay, and a loaded
#: machine's slow extraction is not mistaken for a failing one.
QUICK = ("-s", "AUTOTHROTTLE_START_DELAY=0.1", "-s", "EXTRACT_TIMEOUT=300")


@dataclass
class Drift:
    db: str
    web: DriftWeb
    crawls: list[subprocess.CompletedProcess[str]]

    def key(self, name: str) -> str:
        """Return the site's key in the archive (host:port)."""
        return site_of(self.web.site(name).base_url)

    def health(self, *args: str) -> subprocess.CompletedProcess[str]:
        return newsarchive("health", "--db", self.db, *args)


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> Drift:
    web = build_drift_web()
    db = str(tmp_path_factory.mktemp("drift") / "archive.db")
    with NewsWeb(web.sites) as served:
        urls = [served.url(site.name) for site in web.sites]
        first = newsarchive("crawl", *urls, "--db", db, *QUICK)
        web.change()
        served.publish()
        second = newsarchive("crawl", *urls, "--db", db, *QUICK)
    for crawl in (first, second):
        assert crawl.returncode == 0, crawl.stderr
    return Drift(db, web, [first, second])


def test_each_crawl_records_every_sites_extraction(drift: Drift) -> None:
    with Archive(drift.db, create=False) as archive:
        runs = history(archive)
    steady, relaunched, briefs = (runs[drift.key(n)] for n in ("Steady Tribune", "Relaunch Ledger", "Brief Courier"))
    assert [(r.pages, r.articles) for r in steady] == [(5, 5), (5, 5)], [r.failures for r in steady]
    # the relaunched pages keep a headline and a standfirst: too little for an article, or a stub of one
    assert [r.pages for r in relaunched] == [5, 5] and relaunched[0].articles == 5, [r.failures for r in relaunched]
    assert relaunched[1].articles == 0 or relaunched[1].median_words < 80, relaunched[1]
    assert [(r.pages, r.articles) for r in briefs] == [(5, 5), (5, 5)], [r.failures for r in briefs]
    first = steady[0]
    assert (first.with_title, first.with_date, first.with_author) == (5, 5, 5)
    assert first.furniture and first.furniture_change is None  # learned furniture; nothing to compare with yet
    assert steady[1].furniture_change is not None and steady[1].furniture_change < 0.3
    # the briefs are articles with titles and dates, only short
    assert briefs[1].median_words < 0.5 * briefs[0].median_words
    assert (briefs[1].with_title, briefs[1].with_date) == (5, 5)
    site = drift.web.site("Relaunch Ledger")
    assert {url for url, _ in relaunched[1].failures} <= {
        site.base_url + path for path in _new_article_paths(drift, site.name)
    }


def _new_article_paths(drift: Drift, name: str) -> list[str]:
    site = drift.web.site(name)
    return [site.article_path(story) for story in site.stories[5:]]


def test_health_flags_the_site_that_changed_its_template_with_example_urls(drift: Drift) -> None:
    result = drift.health()
    assert result.returncode == 0, result.stderr
    relaunched = drift.key("Relaunch Ledger")
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("DRIFT")]
    assert relaunched in line and "run 2" in line
    # the new template's pages give no article, or only their standfirst
    assert (
        "yield 0% of 5 article pages (usual 100%)" in result.stdout
        or "what a page that lost its story" in result.stdout
    )
    # the crawl said so when it ended
    warned = [line for line in drift.crawls[1].stderr.splitlines() if "looks broken" in line]
    assert len(warned) == 1 and f"extraction on {relaunched} looks broken" in warned[0]
    assert "looks broken" not in drift.crawls[0].stderr
    examples = {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("e.g.")}
    new_pages = {
        drift.web.site("Relaunch Ledger").base_url + path for path in _new_article_paths(drift, "Relaunch Ledger")
    }
    assert examples and examples <= new_pages


def test_a_steady_site_and_a_day_of_briefs_are_not_flagged(drift: Drift) -> None:
    with Archive(drift.db, create=False) as archive:
        verdicts = latest_verdicts(archive)
    steady, briefs = verdicts[drift.key("Steady Tribune")], verdicts[drift.key("Brief Courier")]
    assert steady.judged and not steady.flagged and not steady.notes
    assert briefs.judged and not briefs.flagged
    assert briefs.notes and "shorter stories" in briefs.notes[0]
    assert verdicts[drift.key("Relaunch Ledger")].flagged


def test_runs_carry_their_sites_health(drift: Drift, monkeypatch: pytest.MonkeyPatch) -> None:
    with Archive(drift.db, create=False) as archive:
        by_run = run_verdicts(archive, [1, 2])
    assert {v.health.site for v in by_run[1]} == {
        drift.key(n) for n in ("Steady Tribune", "Relaunch Ledger", "Brief Courier")
    }
    assert not any(v.flagged for v in by_run[1])
    assert [v.health.site for v in by_run[2] if v.flagged] == [drift.key("Relaunch Ledger")]
    monkeypatch.setenv("COLUMNS", "200")
    runs = newsarchive("runs", "--db", drift.db)
    assert runs.returncode == 0, runs.stderr
    assert [row[-1] for row in table_rows(runs.stdout)] == ["DRIFT", "ok"]  # newest first


def test_health_of_one_site_lists_its_runs_and_an_unknown_site_names_the_known_ones(drift: Drift) -> None:
    one = drift.health("--site", drift.key("Steady Tribune"))
    assert one.returncode == 0, one.stderr
    assert "first run" in one.stdout and "DRIFT" not in one.stdout
    unknown = drift.health("--site", "no-such-site.example")
    assert unknown.returncode == 2
    assert "no site 'no-such-site.example' in the archive" in unknown.stderr
    assert drift.key("Brief Courier") in unknown.stderr


def test_the_sites_page_shows_each_sites_health(drift: Drift) -> None:
    from fastapi.testclient import TestClient

    from crawler.web import create_app

    with Archive(drift.db, create=False) as archive, TestClient(create_app(archive)) as client:
        page = client.get("/sites").text
        sites = {report["site"]: report for report in client.get("/api/sites").json()}
    assert sites[drift.key("Relaunch Ledger")]["health"]["flagged"] is True
    assert sites[drift.key("Steady Tribune")]["health"]["flagged"] is False
    assert page.count('class="flag"') == 1


# -- the rule, on made-up runs -------------------------------------------------


def _run(
    run_id: int, pages: int = 20, articles: int = 19, words: int = 600, titled: float = 1.0, change: float | None = 0.0
) -> RunHealth:
    return RunHealth(
        "news.example",
        pages,
        articles,
        words,
        round(articles * titled),
        round(articles * titled),
        articles,
        furniture_change=change,
        shortest=(f"http://news.example/{run_id}/short",),
        run_id=run_id,
    )


def test_a_sharp_fall_in_yield_is_flagged_a_small_one_is_not() -> None:
    usual = [_run(i) for i in range(1, 6)]
    assert judge([*usual, _run(6, articles=17)])[-1].flagged is False
    assert judge([*usual, _run(6, articles=8)])[-1].flagged is True


def test_shorter_articles_are_flagged_only_when_the_layout_changed_too() -> None:
    usual = [_run(i) for i in range(1, 6)]
    assert not judge([*usual, _run(6, words=150)])[-1].flagged  # a day of short news
    changed = judge([*usual, _run(6, words=150, change=0.6)])[-1]
    assert changed.flagged and changed.examples == ["http://news.example/6/short"]
    assert judge([*usual, _run(6, words=150, titled=0.4)])[-1].flagged  # titles gone with the text
    assert judge([*usual, _run(6, words=40)])[-1].flagged  # every story shrunk to a standfirst: its text is lost


def test_titles_or_dates_lost_are_flagged() -> None:
    usual = [_run(i) for i in range(1, 6)]
    verdict = judge([*usual, _run(6, titled=0.2)])[-1]
    assert verdict.flagged and any("title found on" in flag for flag in verdict.flags)


def test_runs_with_few_pages_are_neither_judged_nor_the_usual() -> None:
    runs = [_run(1, pages=2, articles=2, words=2000), *(_run(i) for i in range(2, 5)), _run(5, pages=3, articles=0)]
    verdicts = judge(runs)
    assert not verdicts[-1].judged and not verdicts[-1].flagged
    assert verdicts[3].usual_words == 600  # the two-page run is not part of the usual


def test_the_usual_is_the_recent_runs_only() -> None:
    old = [_run(i, words=2000) for i in range(1, 6)]
    recent = [_run(i, words=500) for i in range(6, 11)]
    assert judge([*old, *recent, _run(11, words=400, change=0.9)])[-1].usual_words == 500


@pytest.mark.parametrize(
    ("field", "value"), [("recent", 0), ("min_pages", 0), ("yield_drop", 0.0), ("length_ratio", 1.5)]
)
def test_a_bad_rule_is_a_clear_value_error(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"^{field} must be"):
        HealthRule(**{field: value})


# -- the parts ----------------------------------------------------------------


def test_health_records_round_trip_and_measure_furniture_change(db: str) -> None:
    with Archive(db) as archive:
        first, second = start_run(archive, "news.example"), start_run(archive, "news.example")
        save_health(
            archive,
            first,
            [
                RunHealth(
                    "news.example",
                    8,
                    7,
                    512,
                    7,
                    6,
                    5,
                    frozenset({"a", "b", "c"}),
                    failures=(("http://news.example/x-y-z", "extract/empty"),),
                )
            ],
        )
        save_health(
            archive,
            second,
            [
                RunHealth(
                    "news.example",
                    9,
                    9,
                    480,
                    9,
                    9,
                    9,
                    frozenset({"b", "c", "d"}),
                    shortest=("http://news.example/short-one-here",),
                )
            ],
        )
        (runs,) = history(archive).values()
    assert [(r.run_id, r.pages, r.articles, r.median_words) for r in runs] == [(first, 8, 7, 512), (second, 9, 9, 480)]
    assert runs[0].furniture_change is None and runs[1].furniture_change == pytest.approx(0.5)  # a, d of a-d
    assert runs[0].failures == (("http://news.example/x-y-z", "extract/empty"),)
    assert runs[1].shortest == ("http://news.example/short-one-here",) and runs[1].started is not None


def test_the_extension_counts_article_pages_only(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict={
            "NEWSARCHIVE_HEALTH_ENABLED": True,
            "NEWSARCHIVE_DB": str(tmp_path / "a.db"),
            "EXTENSIONS": {ArchiveOwner: 0},
        }
    )
    health = ExtractionHealth.from_crawler(crawler)
    story = "http://news.example/2024/05/council-votes-on-bridge/"

    def drop(url: str, outcome: Outcome, reason: str) -> None:
        health.item_dropped(PageItem(url, "<html></html>"), PageDropped(outcome, reason, url))

    drop(story, Outcome.NOT_ARTICLE, "extract/not_article/too_short")
    drop("http://news.example/section/world/", Outcome.NOT_ARTICLE, "extract/not_article/listing_url")
    drop("http://news.example/world/", Outcome.NOT_ARTICLE, "extract/not_article/url_shape")
    drop("http://news.example/2024/05/known-story-here/", Outcome.KNOWN, "known_url")
    drop("http://news.example/2019/01/an-old-story-here/", Outcome.TOO_OLD, "extract/too_old")
    (tally,) = health.sites.values()
    assert (tally.site, tally.pages, tally.failures) == ("news.example", 1, [(story, "extract/not_article/too_short")])


def test_the_extension_is_off_with_its_setting() -> None:
    with pytest.raises(NotConfigured):
        ExtractionHealth.from_crawler(get_crawler(settings_dict={"NEWSARCHIVE_HEALTH_ENABLED": False}))
