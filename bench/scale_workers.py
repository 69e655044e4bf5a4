"""Scale-out benchmark: pages/s of 1, 2 and 4 ``newsarchive worker``s crawling one loopback web into PostgreSQL.

    python bench/scale_workers.py [--sites 8] [--stories 40] [--workers 1,2,4] [--seed 1]
                                  [--redis redis://127.0.0.1:6379/0] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

The web is generated as ``bench/throughput.py`` makes it (stories of paragraphs
drawn from the extraction-dev pages, each also under a /print/ URL). The
reference is one ``newsarchive crawl --sites`` process crawling every site at
once; then, for each worker count, the sites are enqueued (one job per site) and
that many ``newsarchive worker --burst`` processes crawl them, each job its own
crawl process, into a fresh PostgreSQL database (created for the run and
dropped). Pages are the requests the web's server logged during the run, so
the rates count the same thing for every mode. The machine's cores bound what
more workers can give: the load average is printed with each run.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from end_to_end import load_stories  # noqa: E402
from extraction import default_data  # noqa: E402
from throughput import DISCOVERY, THEMES, generated_stories  # noqa: E402

from crawler.demo.newsweb import NewsWeb, Site  # noqa: E402


def newsarchive(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate(timeout=3600)
    if process.returncode != 0:
        raise SystemExit(f"{process.args!r} failed ({process.returncode}): {err.decode()[-2000:]}")


class Databases:
    """PostgreSQL databases made for this run, dropped at the end."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.names: list[str] = []

    def create(self) -> str:
        name = f"bench_scale_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.names.append(name)
        return f"{self.server.rsplit('/', 1)[0]}/{name}"

    def drop(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            for name in self.names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_single(sites_file: Path, db: str, work: Path) -> float:
    start = time.monotonic()
    finish(newsarchive("crawl", "--sites", str(sites_file), "--db", db, "--warc-dir", str(work / "warc"), cwd=work))
    return time.monotonic() - start


def run_workers(sites_file: Path, db: str, work: Path, count: int, redis: str) -> float:
    queue = f"bench-{os.getpid()}-{count}-{secrets.token_hex(3)}"
    start = time.monotonic()
    finish(newsarchive("enqueue", "--sites", str(sites_file), "--redis", redis, "--queue", queue, cwd=work))
    workers = [
        newsarchive(
            "worker",
            "--redis",
            redis,
            "--queue",
            queue,
            "--db",
            db,
            "--work-dir",
            str(work / f"w{i}"),
            "--name",
            f"{queue}-w{i}",
            "--burst",
            cwd=work,
        )
        for i in range(count)
    ]
    for worker in workers:
        finish(worker)
    wall = time.monotonic() - start
    client = Redis.from_url(redis)
    for key in client.scan_iter(f"*{queue}*"):  # the finished jobs and registries of this run's queue
        client.delete(key)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--stories", type=int, default=40, help="stories per site")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    pool = load_stories(default_data())
    stories = generated_stories(pool, args.sites * args.stories, rng)
    sites = [
        Site(
            f"Scale {i + 1}",
            THEMES[i % len(THEMES)],
            stories[i * args.stories : (i + 1) * args.stories],
            discovery=DISCOVERY[i % len(DISCOVERY)],
        )
        for i in range(args.sites)
    ]
    databases = Databases(args.postgres)
    rows = []
    try:
        with NewsWeb(sites) as web, tempfile.TemporaryDirectory(prefix="bench-scale-") as temp:
            base = Path(temp)
            sites_file = base / "sites.toml"
            sites_file.write_text(
                "".join(f'[[site]]\nname = "{name}"\nstart_urls = ["{web.url(name)}"]\n\n' for name in web.sites)
            )
            modes = [("one crawl process", 0)] + [
                (f"{n} worker{'s' if n > 1 else ''}", n) for n in map(int, args.workers.split(","))
            ]
            for label, count in modes:
                work = base / f"run-{count}"
                work.mkdir()
                db = databases.create()
                before = len(web.requests)
                wall = (
                    run_single(sites_file, db, work)
                    if count == 0
                    else run_workers(sites_file, db, work, count, args.redis)
                )
                pages = len(web.requests) - before
                rows.append((label, wall, pages, os.getloadavg()[0]))
                print(f"{label}: {pages} pages in {wall:.1f}s", file=sys.stderr, flush=True)
    finally:
        databases.drop()

    print(f"\n{args.sites} sites x {args.stories} stories, {os.cpu_count()} cores\n")
    print(f"{'mode':<20} {'wall s':>8} {'pages':>7} {'pages/s':>8} {'vs one process':>15} {'load 1m':>8}")
    reference = rows[0][2] / rows[0][1]
    for label, wall, pages, load in rows:
        rate = pages / wall
        print(f"{label:<20} {wall:>8.1f} {pages:>7} {rate:>8.1f} {rate / reference:>14.2f}x {load:>8.2f}")


if __name__ == "__main__":
    main()
