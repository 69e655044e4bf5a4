"""The crawl job queue when things go wrong: a crawl process, and separately a whole worker, SIGKILLed
mid-crawl and its job retried; a site never crawled by two workers at once; a crawl over its job timeout.

On a real Redis and PostgreSQL, with the workers of queue_cluster.py.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from rq.job import Job, JobStatus

from conftest import exported, table_rows
from crawler.demo.newsweb import NewsWeb
from crawler.service.queue import crawl_site, lock_name
from queue_cluster import (  # noqa: F401 - fixtures, named by the tests' parameters
    KILLED_SITE,
    REDIS,
    SLOW,
    Cluster,
    alive,
    archived_urls,
    article_requests,
    cluster,
    marked_pids,
    redis_client,
    repost_web,
    site_urls,
    sites_toml,
    until,
)
from repost_web import RepostWeb, build_repost_web

# -- killed crawls and dead workers ---------------------------------------------------------------


def _crawling(cluster: Cluster, web: RepostWeb, served: NewsWeb, at_least: int) -> dict[str, Any]:
    """Wait until the crawl of KILLED_SITE has fetched ``at_least`` articles; return its job's meta."""
    urls = site_urls(web, KILLED_SITE)
    until(lambda: sum(n for url, n in article_requests(web, served).items() if url in urls) >= at_least, "the crawl")
    return cluster.job(KILLED_SITE).get_meta()


def _archived_once(cluster: Cluster, web: RepostWeb) -> None:
    urls = archived_urls(exported(cluster.db, "--with-duplicates"))
    assert sorted(urls) == sorted(site_urls(web, KILLED_SITE))


def test_a_killed_crawl_is_retried_and_finishes_with_every_story_once(cluster: Cluster, tmp_path: Path) -> None:
    web = build_repost_web()
    with NewsWeb(web.sites) as served:
        cluster.start("w1")
        cluster.enqueue(sites_toml(served, tmp_path / "sites.toml", [KILLED_SITE]), *SLOW)
        meta = _crawling(cluster, web, served, 5)
        os.kill(meta["crawl_pid"], signal.SIGKILL)
        cluster.finished([KILLED_SITE])
        job = cluster.job(KILLED_SITE)
        assert job.retries_left == 2
        assert len(list((tmp_path / "w1" / "logs" / "Harbor-Press-Agency").glob("*.log"))) == 2
        assert "the crawl ended with exit status -9" in cluster.logs()
        assert not alive(meta["crawl_pid"])
        _archived_once(cluster, web)


def test_a_dead_worker_leaves_no_crawl_behind_and_its_job_finishes_on_another(cluster: Cluster, tmp_path: Path) -> None:
    web = build_repost_web()
    with NewsWeb(web.sites) as served:
        first = cluster.start("w1")
        cluster.enqueue(sites_toml(served, tmp_path / "sites.toml", [KILLED_SITE]), *SLOW)
        meta = _crawling(cluster, web, served, 5)
        assert meta["horse_pid"] != first.pid
        cluster.start("w2")
        os.kill(first.pid, signal.SIGKILL)  # the worker alone: its work-horse and crawl must follow it
        first.wait()
        until(lambda: not alive(meta["horse_pid"]), "the dead worker's work-horse to die", 10)
        until(lambda: not alive(meta["crawl_pid"]), "the dead worker's crawl to die", 10)
        cluster.finished([KILLED_SITE])
        job = cluster.job(KILLED_SITE)
        assert job.worker_name == f"{cluster.name}-w2"
        assert job.retries_left == 2
        _archived_once(cluster, web)


# -- never two at once ----------------------------------------------------------------------------


def test_a_site_queued_or_running_is_not_queued_again(
    cluster: Cluster, repost_web: tuple[RepostWeb, NewsWeb], tmp_path: Path
) -> None:
    _, served = repost_web
    sites_file = sites_toml(served, tmp_path / "sites.toml", [KILLED_SITE])
    assert "queued" in cluster.enqueue(sites_file, *SLOW)
    assert "already queued" in cluster.enqueue(sites_file)
    cluster.start("w1")
    until(lambda: cluster.job(KILLED_SITE).get_meta().get("state") == "crawling", "the crawl")
    assert "running" in cluster.enqueue(sites_file)
    assert len(cluster.queue) == 0
    cluster.finished([KILLED_SITE])
    finished = cluster.job(KILLED_SITE).ended_at
    cluster.stop()  # no worker takes it: what is looked at is the queue, not a second crawl of the site
    assert "queued" in cluster.enqueue(sites_file)  # a finished crawl is crawled again when asked
    assert cluster.job(KILLED_SITE).ended_at != finished
    assert cluster.job(KILLED_SITE).get_status() == JobStatus.QUEUED and len(cluster.queue) == 1


def test_two_jobs_of_one_site_never_crawl_at_once(
    cluster: Cluster, repost_web: tuple[RepostWeb, NewsWeb], tmp_path: Path
) -> None:
    """A second job of the site, slipped past the unique job id, waits for the site lock of the first."""
    _, served = repost_web
    sites_file = sites_toml(served, tmp_path / "sites.toml", [KILLED_SITE])
    cluster.enqueue(sites_file, *SLOW)
    config = sites_file.read_text("utf-8")
    cluster.queue.enqueue_call(crawl_site, args=(KILLED_SITE, config, SLOW[1::2], "INFO"), job_id=f"{cluster.name}-2")
    cluster.start("w1")
    cluster.start("w2")
    jobs = [cluster.job(KILLED_SITE), Job.fetch(f"{cluster.name}-2", connection=cluster.client)]

    def both_started() -> list[str] | None:
        states = [job.get_meta().get("state") for job in jobs]
        return states if all(job.get_status() == JobStatus.STARTED for job in jobs) and None not in states else None

    assert sorted(until(both_started, "both jobs to start")) == ["crawling", "waiting for the site"]
    assert cluster.client.ttl(lock_name(cluster.name, KILLED_SITE)) > 0
    until(lambda: all(job.get_status() == JobStatus.FINISHED for job in jobs), "both crawls", 240)
    spans = sorted((job.get_meta()["since"], job.get_meta()["ended"]) for job in jobs)
    assert spans[0][1] <= spans[1][0], spans


def test_a_crawl_over_its_job_timeout_is_stopped_with_its_processes_and_fails_with_the_reason(
    cluster: Cluster, repost_web: tuple[RepostWeb, NewsWeb], tmp_path: Path
) -> None:
    _, served = repost_web
    sites_file = sites_toml(served, tmp_path / "sites.toml", [KILLED_SITE])
    cluster.enqueue(sites_file, "--job-timeout", "4s", "--retries", "0", *SLOW, "-s", "DOWNLOAD_DELAY=1")
    cluster.start("w1")
    until(lambda: cluster.job(KILLED_SITE).get_status() == JobStatus.FAILED, "the job to time out", 60)
    meta = cluster.job(KILLED_SITE).get_meta()
    assert not alive(meta["crawl_pid"])
    until(lambda: marked_pids(cluster.mark) == {cluster.workers["w1"].pid}, "the work-horse and its crawl to end", 10)
    shown = cluster.newsarchive("status", "--redis", REDIS, "--queue", cluster.name)
    (failed,) = [row for row in table_rows(shown.stdout) if len(row) == 6 and row[1] == "failed"]
    assert failed[0] == KILLED_SITE and "JobTimeoutException" in failed[5], failed
