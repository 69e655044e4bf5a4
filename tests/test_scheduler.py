"""``newsarchive schedule``: due times, catch-up after downtime, no overlap, the cap, and a graceful stop."""

from __future__ import annotations

import fcntl
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT
from crawler.cli import main
from crawler.cli.schedule import last_runs
from crawler.demo.newsweb import NewsWeb
from crawler.extensions.runs import run_site
from crawler.schedule import LastRun, Plan, first_due, next_run
from crawler.service.runner import CrawlCommand, CrawlRunner, folder_name
from crawler.sites import SiteConfig, duration
from storage import Archive
from storage.runs import latest_runs
from storage.schema import runs as runs_table

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


def finished_at(started: datetime) -> LastRun:
    return LastRun(started, "finished")


# -- when a site is due ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,length",
    [
        ("1s", timedelta(seconds=1)),
        ("90s", timedelta(seconds=90)),
        ("30m", 30 * MINUTE),
        ("1h30m", 90 * MINUTE),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("*/5 * * * *", None),
        ("soon", None),
    ],
)
def test_a_duration_is_read_in_seconds_minutes_hours_days_weeks(text: str, length: timedelta | None) -> None:
    assert duration(text) == length


def test_an_interval_counts_from_the_last_start() -> None:
    assert next_run("30m", T0) == T0 + 30 * MINUTE


def test_a_cron_expression_gives_its_next_time_in_local_time() -> None:
    at_five = datetime(2026, 1, 10, 5, 0).astimezone()  # naive: the machine's local time, as cron reads it
    assert next_run("0 6 * * *", at_five) == datetime(2026, 1, 10, 6, 0).astimezone()
    assert next_run("0 6 * * *", datetime(2026, 1, 10, 6, 0).astimezone()) == datetime(2026, 1, 11, 6, 0).astimezone()


@pytest.mark.parametrize(
    "last,due",
    [
        (None, T0),  # never crawled: at once
        (LastRun(T0 - MINUTE, None), T0),  # killed (or unfinished): at once
        (LastRun(T0 - MINUTE, "shutdown"), T0),  # stopped by a shutdown: resume at once
        (finished_at(T0 - MINUTE), T0 + 59 * MINUTE),  # crawled a minute ago: in 59 minutes
        (LastRun(T0 - MINUTE, "archive_unavailable"), T0 + 59 * MINUTE),  # a failed run is no reason to hammer
        (finished_at(T0 - 10 * HOUR), T0 - 9 * HOUR),  # ten runs missed: overdue
    ],
)
def test_a_site_is_first_due_after_its_last_run_or_at_once(last: LastRun | None, due: datetime) -> None:
    assert first_due("1h", last, T0) == due


# -- the plan: catch-up, no overlap, the cap ---------------------------------------------------------


def test_missed_runs_after_downtime_collapse_into_one() -> None:
    plan = Plan({"A": "1h"}, {"A": finished_at(T0 - 10 * HOUR)}, T0, max_concurrent=2)
    assert plan.take_due(T0) == ["A"]
    plan.finished("A")
    assert plan.due_at("A") == T0 + HOUR  # counted from the catch-up run, not from the missed ones
    assert plan.take_due(T0 + 5 * MINUTE) == []
    assert plan.take_due(T0 + HOUR) == ["A"]


def test_a_site_never_runs_twice_at_once_and_a_long_run_is_followed_by_one_run() -> None:
    plan = Plan({"A": "1s"}, {}, T0, max_concurrent=2)
    assert plan.take_due(T0) == ["A"]
    for seconds in range(1, 30):
        assert plan.take_due(T0 + timedelta(seconds=seconds)) == []
    assert plan.due_at("A") is None and plan.running == ["A"]
    plan.finished("A")
    assert plan.take_due(T0 + 30 * timedelta(seconds=1)) == ["A"]
    assert plan.take_due(T0 + 31 * timedelta(seconds=1)) == []


def test_no_more_than_the_cap_run_at_once_most_overdue_first() -> None:
    history = {"A": finished_at(T0 - 2 * HOUR), "B": finished_at(T0 - 3 * HOUR), "C": finished_at(T0 - 4 * HOUR)}
    plan = Plan(dict.fromkeys("ABC", "1h"), history, T0, max_concurrent=2)
    assert plan.take_due(T0) == ["C", "B"]
    assert plan.take_due(T0 + MINUTE) == []
    assert plan.wakeup() is None  # full: only a crawl that ends frees a place
    plan.finished("B")
    assert plan.take_due(T0 + 2 * MINUTE) == ["A"]
    assert sorted(plan.running) == ["A", "C"]


def test_the_scheduler_wakes_up_when_the_next_site_is_due() -> None:
    history = {"A": finished_at(T0 - 50 * MINUTE), "B": finished_at(T0 - 20 * MINUTE)}
    plan = Plan({"A": "1h", "B": "*/15 * * * *"}, history, T0, max_concurrent=1)
    assert plan.take_due(T0) == ["B"]  # B ran at 11:40: due at 11:45, overdue
    assert plan.wakeup() is None
    plan.finished("B")
    assert plan.due_at("B") == T0 + 15 * MINUTE
    assert plan.wakeup() == T0 + 10 * MINUTE  # A, an hour after 11:10


def test_the_plan_refuses_a_cap_below_one() -> None:
    with pytest.raises(ValueError, match="cap"):
        Plan({"A": "1h"}, {}, T0, max_concurrent=0)


def test_once_runs_only_the_sites_due_now_each_one_time() -> None:
    history = {"A": finished_at(T0 - 10 * HOUR), "B": finished_at(T0 - MINUTE)}
    plan = Plan({"A": "1s", "B": "1h", "C": "1h"}, history, T0, max_concurrent=1, once=True)
    assert plan.take_due(T0) == ["A"] and plan.take_due(T0) == []
    plan.finished("A")
    assert plan.take_due(T0 + HOUR) == ["C"]
    plan.finished("C")
    assert plan.done and plan.take_due(T0 + 2 * HOUR) == []


# -- the crawls' command lines, folders and history ---------------------------------------------------


def test_each_crawl_is_one_site_recorded_under_its_name_with_its_own_jobdir(tmp_path: Path) -> None:
    command = CrawlCommand(tmp_path / "sites.toml", "a.db", tmp_path / "logs", tmp_path / "jobs", ("DEPTH_LIMIT=1",))
    argv = command.argv("Daily Ledger")
    assert argv[:4] == [sys.executable, "-m", "crawler.cli", "crawl"]
    assert argv[argv.index("--only") + 1] == "Daily Ledger"
    settings = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-s"]
    assert settings == [
        "NEWSARCHIVE_SITE=Daily Ledger",
        f"JOBDIR={tmp_path / 'jobs' / 'Daily-Ledger'}",
        "DEPTH_LIMIT=1",
    ]
    first, second = (command.open_log("Daily Ledger", T0) for _ in range(2))
    assert [Path(f.name).name for f in (first, second)] == ["20260110T120000Z.log", "20260110T120000Z-2.log"]
    first.close(), second.close()


@pytest.mark.parametrize("name,folder", [("Daily Ledger", "Daily-Ledger"), ("a/../b", "a-..-b"), ("..", "site")])
def test_a_site_folder_name_stays_inside_its_folder(name: str, folder: str) -> None:
    assert folder_name(name) == folder


def _record(archive: Archive, site: str, started: datetime, reason: str | None) -> None:
    with archive.engine.begin() as conn:
        conn.execute(
            runs_table.insert().values(
                site=site, started=started, finish_reason=reason, finished=None if reason is None else started + MINUTE
            )
        )


def test_a_run_is_recorded_under_its_site_name_else_under_the_hosts_it_crawled() -> None:
    spider = SimpleNamespace(name="news", site_rules=dict.fromkeys(["127.0.0.1:8002", "127.0.0.1:8001"]))
    assert run_site(spider, "Herald") == "Herald"  # NEWSARCHIVE_SITE, as the scheduler sets it
    assert run_site(spider, "") == "127.0.0.1:8001, 127.0.0.1:8002"


def test_the_last_run_of_a_site_is_its_newest_under_its_name_or_its_host(db: str) -> None:
    herald = SiteConfig("Herald", ("http://127.0.0.1:8001/",))
    courier = SiteConfig("Courier", ("http://127.0.0.1:8002/",))
    with Archive(db) as archive:
        _record(archive, "Herald", T0 - 3 * HOUR, "finished")
        _record(archive, "Herald", T0 - 2 * HOUR, "shutdown")
        _record(archive, "127.0.0.1:8001", T0 - HOUR, "finished")  # newsarchive crawl --sites F --only Herald
        _record(archive, "127.0.0.1:8002", T0 - 2 * HOUR, "finished")
        _record(archive, "Courier", T0 - HOUR, None)
        _record(archive, "Gazette", T0, "finished")
        assert set(latest_runs(archive, ["Herald", "Gazette", "Nobody"])) == {"Herald", "Gazette"}
        history = last_runs(archive, [herald, courier, SiteConfig("New", ("http://127.0.0.1:8003/",))])
    assert history == {"Herald": finished_at(T0 - HOUR), "Courier": LastRun(T0 - HOUR, None)}


# -- the loop, with a stand-in for the crawl command -------------------------------------------------


class StandIn(CrawlCommand):
    """A "crawl" that prints its site and fails for site B, in a few milliseconds."""

    def argv(self, site: str) -> list[str]:
        return [sys.executable, "-c", "import sys; print('crawl', sys.argv[1]); sys.exit(sys.argv[1] == 'B')", site]


def test_once_runs_each_due_site_one_time_logs_each_run_and_reports_a_failure(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    history = {"A": finished_at(now - 2 * HOUR), "C": finished_at(now - MINUTE)}
    plan = Plan(dict.fromkeys("ABC", "1h"), history, now, max_concurrent=1, once=True)
    command = StandIn(tmp_path / "sites.toml", "a.db", tmp_path / "logs", tmp_path / "jobs")
    assert CrawlRunner(plan, command, stop_timeout=5).run() == 1  # B failed
    logs = {log.parent.name: log.read_text("utf-8").splitlines() for log in (tmp_path / "logs").glob("*/*.log")}
    assert {site: lines[1:] for site, lines in logs.items()} == {"A": ["crawl A"], "B": ["crawl B"]}
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and signal.set_wakeup_fd(-1) == -1  # all put back


# -- the real scheduler on the loopback test web ------------------------------------------------------

#: Fast crawls of three pages: no AutoThrottle delays, extraction in the crawl's thread, counts saved often.
FAST = (
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "EXTRACT_WORKERS=0",
    "-s",
    "NEWSARCHIVE_RUN_SAVE_INTERVAL=0.2",
    "-s",
    "NEWSARCHIVE_PROGRESS_INTERVAL=0",
)


def _sites_toml(web: NewsWeb, schedules: dict[str, str]) -> str:
    return "".join(
        f'[[site]]\nname = "{name}"\nstart_urls = ["{web.url(name)}"]\nmax_pages = 3\nschedule = "{schedule}"\n\n'
        for name, schedule in schedules.items()
    )


def _runs(db: Path) -> list[tuple[str, datetime, datetime | None, str | None, int]]:
    """Return (site, started, finished, finish_reason, pages) of every run, read as another process would."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT site, started, finished, finish_reason, pages FROM runs ORDER BY id").fetchall()
    except sqlite3.Error:
        return []
    when = lambda text: text and datetime.fromisoformat(text)  # noqa: E731
    return [(site, when(started), when(finished), reason, pages) for site, started, finished, reason, pages in rows]


def _until(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 180) -> None:
    """Poll until ``condition`` holds; fail if the scheduler ended first or it takes too long."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the scheduler ended"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _schedule(tmp_path: Path, web: NewsWeb, schedules: dict[str, str], *options: str) -> subprocess.Popen[str]:
    (tmp_path / "sites.toml").write_text(_sites_toml(web, schedules), "utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="default")
    env.pop("NEWSARCHIVE_DB", None)
    with open(tmp_path / "scheduler.log", "wb") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crawler.cli",
                "schedule",
                "--sites",
                str(tmp_path / "sites.toml"),
                "--db",
                str(tmp_path / "archive.db"),
                *FAST,
                *options,
            ],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _printed(tmp_path: Path) -> str:
    return (tmp_path / "scheduler.log").read_text("utf-8")


def _stop(process: subprocess.Popen[str], tmp_path: Path) -> str:
    """SIGTERM the scheduler, check that it exits 0, and return what it printed."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode == 0, _printed(tmp_path)
    return _printed(tmp_path)


def test_the_scheduler_crawls_each_site_again_and_again_then_stops_cleanly_on_sigterm(
    news_web: NewsWeb, tmp_path: Path
) -> None:
    sites = list(news_web.sites)[:2]
    db = tmp_path / "archive.db"
    slow = (
        "-s",
        "DOWNLOAD_DELAY=0.5",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=1",
    )  # so that a stop finds crawls under way
    process = _schedule(tmp_path, news_web, dict.fromkeys(sites, "1s"), "--max-concurrent", "2", *slow)

    def second_runs_under_way() -> bool:
        """Every site's latest run is its second or later, unfinished, with pages saved.

        Then no other crawl is starting, and both are well under way: Scrapy ignores a SIGTERM
        that lands between the spider's opening and the engine's start.
        """
        latest = {r[0]: r for r in _runs(db)}
        counts = Counter(r[0] for r in _runs(db))
        return all(counts[site] >= 2 and latest[site][2] is None and latest[site][4] for site in sites)

    try:
        _until(second_runs_under_way, process)
        stderr = _stop(process, tmp_path)
    finally:
        process.kill()
    runs = _runs(db)
    assert {r[0] for r in runs} == set(sites)  # recorded under the sites' names
    assert all(reason in ("finished", "shutdown") for *_, reason, _ in runs), runs  # none left unfinished
    assert "shutdown" in [reason for *_, reason, _ in runs[-2:]]  # the two under way (one may have just ended)
    for site in sites:
        spans = [(started, finished) for name, started, finished, _, _ in runs if name == site]
        assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans)), f"{site} crawled twice at once"
        logs = list((tmp_path / "archive.logs" / folder_name(site)).glob("*.log"))
        assert len(logs) == len(spans)  # a log per run
        assert all(f"--only '{site}'" in log.read_text("utf-8").splitlines()[0] for log in logs)
    for site in {r[0] for r in runs if r[3] == "shutdown"}:  # a stopped crawl keeps its queue to resume
        assert (tmp_path / "archive.jobs" / folder_name(site) / "requests.queue").exists()
    assert "SIGTERM: stopping" in stderr
    assert "crawl failed" not in stderr and "killed" not in stderr


def test_after_downtime_each_overdue_site_runs_once_and_a_site_not_due_waits(news_web: NewsWeb, tmp_path: Path) -> None:
    overdue, stopped, recent = list(news_web.sites)
    db = tmp_path / "archive.db"
    now = datetime.now(UTC)
    with Archive(str(db)) as archive:
        _record(archive, overdue, now - 10 * HOUR, "finished")  # ten runs missed
        _record(archive, stopped, now - 5 * MINUTE, "shutdown")  # stopped by the last shutdown: resume now
        _record(archive, recent, now - 5 * MINUTE, "finished")
    process = _schedule(tmp_path, news_web, dict.fromkeys((overdue, stopped, recent), "1h"), "--max-concurrent", "2")
    try:
        _until(lambda: _printed(tmp_path).count("next crawl at") == 2, process)
        stderr = _stop(process, tmp_path)
    finally:
        process.kill()
    started = [
        line.split(": crawl started")[0].split(" ", 2)[2] for line in stderr.splitlines() if "crawl started" in line
    ]
    assert sorted(started) == sorted([overdue, stopped]), stderr  # each once, none started again
    new = _runs(db)[3:]
    assert sorted(site for site, *_ in new) == sorted([overdue, stopped])
    assert all(reason == "finished" for *_, reason, _ in new)


def _schedule_in_process(tmp_path: Path, site: str) -> Result:
    (tmp_path / "sites.toml").write_text(f'[[site]]\nname = "A"\nstart_urls = ["http://127.0.0.1:9/"]\n{site}', "utf-8")
    args = ["schedule", "--sites", str(tmp_path / "sites.toml"), "--db", str(tmp_path / "a.db"), "--once"]
    return CliRunner().invoke(main, args)


def test_a_sites_file_without_any_schedule_is_refused(tmp_path: Path) -> None:
    result = _schedule_in_process(tmp_path, "")
    assert result.exit_code == 2
    assert "no site has a schedule" in result.output


def test_a_second_scheduler_on_the_same_job_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.jobs").mkdir()
    with open(tmp_path / "a.jobs" / "scheduler.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = _schedule_in_process(tmp_path, 'schedule = "1h"\n')
    assert result.exit_code == 1
    assert f"another newsarchive schedule, or crawls it started, are using {tmp_path / 'a.jobs'}" in result.output
