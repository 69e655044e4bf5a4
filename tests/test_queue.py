"""The crawl job queue: ``newsarchive enqueue`` / ``worker`` / ``status`` on a real Redis and PostgreSQL.

Two worker processes crawl the repost web (two wire sites, three local sites
reposting them) into one PostgreSQL archive, on this machine and from network
namespaces of their own; the scheduler feeds the queue. Killed crawls, dead
workers and never two crawls of a site at once: test_queue_recovery.py (a file of
its own so that the two run side by side under pytest-xdist). The workers and
their queue: queue_cluster.py.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import export_records, exported, table_rows
from crawler.demo.newsweb import NewsWeb
from databases import missing_service
from queue_cluster import (  # noqa: F401 - fixtures, named by the tests' parameters
    KILLED_SITE,
    REDIS,
    SLOW,
    Cluster,
    archived_urls,
    article_requests,
    cluster,
    comparable,
    redis_client,
    repost_web,
    site_urls,
    sites_toml,
    until,
)
from repost_web import RepostWeb, build_repost_web

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
