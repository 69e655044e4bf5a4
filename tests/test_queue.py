"""The crawl job queue: ``newsarchive enqueue`` / ``worker`` / ``status`` on a real Redis and PostgreSQL.

Two worker processes crawl the repost web (two wire sites, three local sites
reposting them) into one PostgreSQL archive; a crawl process, and separately a
whole worker, is SIGKILLed mid-crawl and its job retried; a site is never
crawled by two workers at once. Each test has its own queue (and so its own
job ids and site locks) in the one Redis; every process a test starts carries a
mark in its environment, so /proc shows whether any is left behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from rq import Queue, Worker
from rq.job import Job, JobStatus

from conftest import ROOT, export_records, exported, table_rows
from crawler.demo.newsweb import NewsWeb
from crawler.service.queue import crawl_site, job_id, lock_name
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


# -- two workers, one archive ---------------------------------------------------------------------


def test_two_workers_crawl_every_site_once_and_archive_what_one_process_does(
    cluster: Cluster, repost_web: tuple[RepostWeb, NewsWeb], tmp_path: Path
) -> None:
    web, served = repost_web
    sites = list(served.sites)
    sites_file = sites_toml(served, tmp_path / "sites.toml")
    cluster.start("w1")
    cluster.start("w2")
    before = len(served.requests)
    printed = cluster.enqueue(sites_file)
    assert printed.count("queued") == len(sites), printed
    cluster.finished(sites)

    requested = article_requests(web, served, before)
    assert set(requested) == set(web.by_url(web.story))
    assert {url for url, n in requested.items() if n != 1} == set()
    assert {cluster.job(site).worker_name for site in sites} == {f"{cluster.name}-w1", f"{cluster.name}-w2"}

    records = exported(cluster.db, "--with-duplicates")
    assert sorted(archived_urls(records)) == sorted(web.by_url(web.story))
    with psycopg.connect(cluster.db) as conn:
        captures = {Path(row[0]) for row in conn.execute("SELECT warc_file FROM warc_records")}
    for worker in ("w1", "w2"):  # each worker's WARC files are its own, named by it
        files = set((tmp_path / worker / "warc").iterdir())
        assert files and all(f.name.startswith(f"newsarchive-{cluster.name}-{worker}-") for f in files)
        assert captures & files
    assert captures <= set((tmp_path / "w1" / "warc").iterdir()) | set((tmp_path / "w2" / "warc").iterdir())
    linked, merged = web.check(records)
    assert linked == Counter(web.style.values())
    assert merged == Counter()

    single = tmp_path / "single.db"
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(sites_file), "--db", str(single)],
        env=cluster.env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert comparable(records) == comparable(export_records(single))


def test_status_shows_the_jobs_the_workers_and_the_pages_of_a_running_crawl(
    cluster: Cluster, repost_web: tuple[RepostWeb, NewsWeb], tmp_path: Path
) -> None:
    _, served = repost_web
    sites_file = sites_toml(served, tmp_path / "sites.toml", [KILLED_SITE, "Metro Wire"])
    cluster.start("w1")
    cluster.enqueue(sites_file, *SLOW)
    until(lambda: cluster.job(KILLED_SITE).get_meta().get("pages", 0) >= 3, "pages in the running job's meta")
    shown = cluster.newsarchive("status", "--redis", REDIS, "--queue", cluster.name)
    assert shown.returncode == 0, shown.stderr
    jobs = {row[0]: row for row in table_rows(shown.stdout) if len(row) == 6}
    _, state, worker, since, pages, reason = jobs[KILLED_SITE]
    assert (state, worker.split()[0], reason) == ("crawling", f"{cluster.name}-w1", "")
    assert since.endswith("s ago") and int(pages) >= 3
    assert jobs["Metro Wire"][1] == "queued"
    workers = [row for row in table_rows(shown.stdout) if len(row) == 5]
    assert [(name, state, site) for name, _, state, site, _ in workers] == [(f"{cluster.name}-w1", "busy", KILLED_SITE)]
    cluster.job("Metro Wire").cancel()  # its crawl would show nothing more; the worker is idle once this one ends
    cluster.finished([KILLED_SITE])


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


# -- the scheduler feeds the queue ----------------------------------------------------------------


def test_the_scheduler_with_redis_enqueues_the_due_sites_once_for_the_workers(
    cluster: Cluster, repost_web: tuple[RepostWeb, NewsWeb], tmp_path: Path
) -> None:
    web, served = repost_web
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(
        f'[[site]]\nname = "Metro Wire"\nstart_urls = ["{served.url("Metro Wire")}"]\nschedule = "1d"\n\n'
        f'[[site]]\nname = "Valley Post"\nstart_urls = ["{served.url("Valley Post")}"]\n',
        "utf-8",
    )
    once = (
        "schedule",
        "--once",
        "--sites",
        str(sites_file),
        "--db",
        cluster.db,
        "--redis",
        REDIS,
        "--queue",
        cluster.name,
    )
    first = cluster.newsarchive(*once)
    assert first.returncode == 0, first.stderr
    assert "Metro Wire: queued" in first.stderr
    again = cluster.newsarchive(*once)  # a second scheduler, e.g. on another machine, before any crawl
    assert again.returncode == 0, again.stderr
    assert "Metro Wire: already queued" in again.stderr
    assert len(cluster.queue) == 1
    cluster.start("w1")
    cluster.finished(["Metro Wire"])
    assert "Valley Post" not in {job.meta.get("site") for job in cluster.queue.get_jobs()}
    records = exported(cluster.db)
    assert {r["url"] for r in records} <= site_urls(web, "Metro Wire") and records
    later = cluster.newsarchive(*once)  # crawled today: due again tomorrow
    assert later.returncode == 0, later.stderr
    assert "Metro Wire" not in later.stderr.replace("next at", "")


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


# -- machines of their own --------------------------------------------------------------------------


class Lan:
    """A LAN inside this machine: a bridge at 10.203.N.1 in this namespace, and a network namespace per worker
    (10.203.N.2, .3…) whose loopback has nothing on it. Redis and PostgreSQL, which listen on 127.0.0.1, are
    forwarded to the bridge's address by socat, as if they ran on another machine; the web listens there too."""

    def __init__(self, token: str, subnet: int) -> None:
        self.bridge = f"nab{token}"
        self.prefix = f"10.203.{subnet}"
        self.host = f"{self.prefix}.1"
        self.token = token
        self.namespaces: list[str] = []
        self.forwards: list[subprocess.Popen[bytes]] = []

    @staticmethod
    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)

    def up(self, machines: int) -> None:
        self.ip("link", "add", self.bridge, "type", "bridge")
        self.ip("addr", "add", f"{self.host}/24", "dev", self.bridge)
        self.ip("link", "set", self.bridge, "up")
        for i in range(machines):
            namespace, here, there = f"nans-{self.token}-{i}", f"nav{self.token}{i}h", f"nav{self.token}{i}n"
            self.ip("netns", "add", namespace)
            self.namespaces.append(namespace)
            self.ip("link", "add", here, "type", "veth", "peer", "name", there)
            self.ip("link", "set", there, "netns", namespace)
            self.ip("link", "set", here, "master", self.bridge)
            self.ip("link", "set", here, "up")
            self.ip("-n", namespace, "addr", "add", f"{self.prefix}.{i + 2}/24", "dev", there)
            self.ip("-n", namespace, "link", "set", there, "up")
            self.ip("-n", namespace, "link", "set", "lo", "up")

    def forward(self, port: int) -> None:
        """Serve 127.0.0.1:``port`` of this namespace on the bridge's address too."""
        self.forwards.append(
            subprocess.Popen(
                ["socat", f"TCP-LISTEN:{port},bind={self.host},fork,reuseaddr", f"TCP:127.0.0.1:{port}"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        until(lambda: self.reachable(port), f"socat on {self.host}:{port}", 10)

    def reachable(self, port: int, namespace: str | None = None, host: str | None = None) -> bool:
        probe = [sys.executable, "-c", f"import socket; socket.create_connection(('{host or self.host}', {port}), 2)"]
        inside = ["ip", "netns", "exec", namespace] if namespace else []
        return subprocess.run([*inside, *probe], capture_output=True, timeout=30).returncode == 0

    def inside(self, i: int) -> tuple[str, ...]:
        return ("ip", "netns", "exec", self.namespaces[i])

    def down(self) -> None:
        for process in self.forwards:
            process.kill()
            process.wait()
        for namespace in self.namespaces:
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, timeout=30)


@pytest.fixture
def network() -> Iterator[Lan]:
    net = Lan(secrets.token_hex(2), 20 + os.getpid() % 200)
    try:
        if not shutil.which("socat"):
            raise FileNotFoundError("socat is not installed")
        net.up(2)
    except (OSError, subprocess.CalledProcessError) as exc:
        net.down()
        detail = exc.stderr.decode().strip() if isinstance(exc, subprocess.CalledProcessError) and exc.stderr else exc
        missing_service("network namespaces (ip netns, veth, bridge; needs root)", Exception(detail))
    try:
        yield net
    finally:
        net.down()


def test_workers_in_their_own_network_namespaces_reach_redis_and_postgresql_over_the_network(
    cluster: Cluster, network: Lan, tmp_path: Path
) -> None:
    network.forward(6379)
    network.forward(5432)
    web = build_repost_web()
    names = ["Metro Wire", "Harbor Press Agency", "Riverside Courier"]
    web.sites = [site for site in web.sites if site.name in names]
    redis_there = REDIS.replace("127.0.0.1", network.host)
    db_there = cluster.db.replace("127.0.0.1", network.host)
    assert redis_there != REDIS and db_there != cluster.db
    for i in range(2):  # no server on a worker machine's own loopback: only the network reaches them
        assert not network.reachable(6379, network.namespaces[i], "127.0.0.1")
        assert network.reachable(6379, network.namespaces[i])
    with NewsWeb(web.sites, host=network.host) as served:
        try:
            cluster.start("w1", network.inside(0), redis_there, db_there)
            cluster.start("w2", network.inside(1), redis_there, db_there)
            cluster.enqueue(sites_toml(served, tmp_path / "sites.toml"))
            cluster.finished(names)
            assert {cluster.job(site).worker_name for site in names} == {f"{cluster.name}-w1", f"{cluster.name}-w2"}
        finally:
            cluster.stop()
        requested = article_requests(web, served)
        assert set(requested) == set(web.by_url(web.story)) and set(requested.values()) == {1}
    records = exported(cluster.db, "--with-duplicates")
    assert sorted(archived_urls(records)) == sorted(web.by_url(web.story))


# -- one-line errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command,said",
    [
        (["status", "--redis", "redis://127.0.0.1:1/0"], "Error: Redis at redis://127.0.0.1:1/0: "),
        (["worker", "--redis", "http://queue.example/"], "Error: Redis at http://queue.example/: "),
        (["enqueue", "--sites", "{inline}", "--redis", REDIS], "write each site as a [[site]] table"),
        (["enqueue", "--sites", "{sites}", "--redis", REDIS, "--job-timeout", "soon"], "--job-timeout: not a duration"),
    ],
)
def test_a_bad_queue_option_or_sites_file_is_one_line_naming_it(command: list[str], said: str, tmp_path: Path) -> None:
    (tmp_path / "inline.toml").write_text('site = [{name = "W", start_urls = ["https://w.example/"]}]\n')
    (tmp_path / "sites.toml").write_text('[[site]]\nname = "W"\nstart_urls = ["https://w.example/"]\n')
    args = [arg.format(inline=tmp_path / "inline.toml", sites=tmp_path / "sites.toml") for arg in command]
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
