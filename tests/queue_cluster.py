"""The queue tests' cluster: workers of one test's queue on the one Redis and PostgreSQL, and what they crawl.

Each test has its own queue (and so its own job ids and site locks) in the one
Redis; every process a test starts carries a mark in its environment, so /proc
shows whether any is left behind. Used by test_queue.py and test_queue_recovery.py.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rq import Queue, Worker
from rq.job import Job, JobStatus

from conftest import ROOT
from crawler.demo.newsweb import NewsWeb
from crawler.service.queue import job_id
from databases import missing_service
from repost_web import RepostWeb, build_repost_web

REDIS = os.environ.get("NEWSARCHIVE_TEST_REDIS", "redis://127.0.0.1:6379/0")
SESSION = f"t{os.getpid()}{secrets.token_hex(3)}"
MARK = "NEWSARCHIVE_TEST_QUEUE_MARK"
#: One article at a time, slowly enough to be killed part way.
SLOW = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.15", "-s", "CONCURRENT_REQUESTS=1")
#: The site the kill tests crawl: the wire with most articles.
KILLED_SITE = "Harbor Press Agency"


def until(condition: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    """Return ``condition()`` once it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def marked_pids(mark: str) -> set[int]:
    """Return the processes whose environment carries ``mark`` (read from /proc)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if f"{MARK}={mark}".encode() in environ.split(b"\0") and "zombie" not in state:
            pids.add(int(entry.name))
    return pids


def alive(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "zombie" not in state


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {REDIS}", exc)
    yield client
    for key in client.scan_iter(f"*{SESSION}*"):
        client.delete(key)


class Cluster:
    """The workers of one test's queue, each a ``newsarchive worker`` process with its own work folder."""

    def __init__(self, tmp_path: Path, client: redis.Redis, db: str, name: str) -> None:
        self.tmp_path = tmp_path
        self.client = client
        self.db = db
        self.name = name
        self.queue = Queue(name, connection=client)
        self.mark = name
        self.workers: dict[str, subprocess.Popen[bytes]] = {}

    def env(self) -> dict[str, str]:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="default", COLUMNS="250", **{MARK: self.mark})
        env.pop("NEWSARCHIVE_DB", None)
        return env

    def newsarchive(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crawler.cli", *args],
            env=self.env(),
            cwd=self.tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start(
        self, worker: str, inside: tuple[str, ...] = (), redis_url: str = REDIS, db: str | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a worker (``inside``: the command that runs it in another network namespace) and wait for it."""
        log = open(self.tmp_path / f"{worker}.log", "ab")  # noqa: SIM115 - the worker writes it until it ends
        self.workers[worker] = subprocess.Popen(
            [
                *inside,
                sys.executable,
                "-m",
                "crawler.cli",
                "worker",
                "--redis",
                redis_url,
                "--queue",
                self.name,
                "--db",
                db or self.db,
                "--name",
                f"{self.name}-{worker}",
                "--work-dir",
                str(self.tmp_path / worker),
                "--heartbeat",
                "1",
                "--cleanup-interval",
                "1",
            ],
            env=self.env(),
            cwd=self.tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        until(lambda: f"{self.name}-{worker}" in self.live_workers(), f"worker {worker} to register")
        return self.workers[worker]

    def live_workers(self) -> set[str]:
        return {w.name for w in Worker.all(queue=self.queue)}

    def enqueue(self, sites_file: Path, *options: str) -> str:
        result = self.newsarchive(
            "enqueue", "--sites", str(sites_file), "--redis", REDIS, "--queue", self.name, *options
        )
        assert result.returncode == 0, result.stderr
        return result.stderr

    def job(self, site: str) -> Job:
        return Job.fetch(job_id(self.name, site), connection=self.client)

    def finished(self, sites: list[str], timeout: float = 240) -> None:
        """Wait until the jobs of ``sites`` finished; fail at once when one failed for good."""

        def done() -> bool:
            states = [self.job(site).get_status() for site in sites]
            assert JobStatus.FAILED not in states, self.logs()
            return all(state == JobStatus.FINISHED for state in states)

        until(done, f"the crawls of {', '.join(sites)}", timeout)

    def logs(self) -> str:
        return "\n".join(path.read_text("utf-8", "replace")[-4000:] for path in self.tmp_path.glob("*.log"))

    def stop(self) -> None:
        """SIGTERM every worker still running (a warm shutdown: it is idle by now) and wait for it."""
        for process in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers.values():
            process.wait(timeout=60)


@pytest.fixture
def cluster(request: pytest.FixtureRequest, tmp_path: Path, redis_client: redis.Redis, postgres) -> Iterator[Cluster]:
    name = f"{SESSION}-{request.node.name.split('[')[0][-40:].replace('_', '-')}"
    cluster = Cluster(tmp_path, redis_client, postgres.fresh_schema_url(), name)
    try:
        yield cluster
    finally:
        cluster.stop()
        for pid in marked_pids(cluster.mark):
            os.kill(pid, signal.SIGKILL)
    assert not marked_pids(cluster.mark), "a process was left behind"


@pytest.fixture(scope="module")
def repost_web() -> Iterator[tuple[RepostWeb, NewsWeb]]:
    web = build_repost_web()
    with NewsWeb(web.sites) as served:
        yield web, served


def sites_toml(served: NewsWeb, path: Path, names: list[str] | None = None) -> Path:
    names = names or list(served.sites)
    path.write_text(
        "".join(f'[[site]]\nname = "{name}"\nstart_urls = ["{served.url(name)}"]\n\n' for name in names), "utf-8"
    )
    return path


def article_requests(web: RepostWeb, served: NewsWeb, since: int = 0) -> Counter[str]:
    """Return how many times each article page was requested, from the server's log."""
    articles = set(web.by_url(web.story))
    urls = (served.sites[r.site].base_url + r.path for r in served.requests[since:])
    return Counter(url for url in urls if url in articles)


def site_urls(web: RepostWeb, site: str) -> set[str]:
    return {url for url in web.by_url(web.story) if url.startswith(web_site(web, site).base_url + "/")}


def web_site(web: RepostWeb, name: str) -> Any:
    return next(site for site in web.sites if site.name == name)


def archived_urls(records: list[dict]) -> list[str]:
    return [r["url"] for r in records] + [d["url"] for r in records for d in r["duplicates"]]


def comparable(records: list[dict]) -> dict[str, tuple[str, str, list[str]]]:
    """Return each story by URL: its title, text and duplicates (what two crawls of one web must agree on)."""
    return {r["url"]: (r["title"], r["text"], sorted(d["url"] for d in r["duplicates"])) for r in records}
