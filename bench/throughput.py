"""Throughput benchmark: crawl + extract a generated loopback web of a few thousand article pages.

``newsarchive crawl`` (in a subprocess) with one extraction worker, then with one
per core, against plain ``trafilatura.extract`` on one core over the same pages,
measured in the same run.

    python bench/throughput.py [--sites 3] [--stories 800] [--workers N] [--seed 1]

Stories are made of paragraphs drawn from the extraction-dev pages, so every
page is a different text (dedup does its usual work, no story is a repost).
Every article is also served under a /print/ URL, as the test web does, so the
crawler fetches and extracts about twice as many pages as it archives.
Also times the extraction pool alone (no crawl) with 1 and N workers.
Prints article pages/s, pages fetched/s, the CPU cores the crawl kept busy
(CPU seconds of the crawl's processes / wall seconds), the CPU milliseconds
the crawl's own process (Scrapy's event loop, the archive, WARC; not the
workers) spent per page fetched, its peak memory and the largest worker's,
the ratio of each rate to plain trafilatura's single-core pages/s, and the
machine's load average while the crawls ran (other work on the machine
shows in the wall-clock rates; the CPU per page does not depend on it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from end_to_end import load_stories  # noqa: E402
from extraction import default_data  # noqa: E402

from crawler.demo.newsweb import NewsWeb, Site, Story  # noqa: E402
from crawler.extract.article import extract_page  # noqa: E402
from crawler.extract.pool import ExtractionPool, PoolConfig  # noqa: E402

THEMES = ("topix", "ledger", "wire")
DISCOVERY = (("sitemap",), ("feed",), ("news-sitemap",))


def generated_stories(pool: list[Story], count: int, rng: random.Random) -> list[Story]:
    """Return ``count`` stories of 6-14 paragraphs drawn from the paragraphs of ``pool``."""
    paragraphs = [line for story in pool for line in story.body if len(line.split()) >= 12]
    stories = []
    for i in range(count):
        body = rng.sample(paragraphs, rng.randint(6, 14))
        title = " ".join(body[0].split()[:9]).rstrip(".,;:")
        stories.append(
            Story(
                slug=f"story-{i:05d}-{re.sub(r'[^a-z0-9]+', '-', title.lower())[:40].strip('-')}",
                title=title,
                author="Staff",
                published=f"20{10 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                section=("world", "business", "culture")[i % 3],
                body=tuple(body),
            )
        )
    return stories


@dataclass(frozen=True)
class CrawlRun:
    """One measured crawl."""

    wall: float
    #: CPU seconds of the crawl's process and of its workers, together
    cpu: float
    #: CPU seconds of the crawl's own process alone (None where /proc is not there to read it)
    main_cpu: float | None
    fetched: int
    archived: int
    #: peak RSS in MB of the crawl's process, and of the largest process (a worker, or the crawl's)
    main_rss: int | None
    max_rss: int
    #: CPU seconds of this process meanwhile: the loopback web serving the crawl (and the light sampler)
    server_cpu: float


def _own_usage(pid: int) -> tuple[float, int] | None:
    """Return (CPU seconds, peak RSS MB) of process ``pid`` alone, threads included, children not; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    peak = re.search(r"VmHWM:\s+(\d+) kB", status)
    if peak is None:  # exited: its memory is gone, the last reading stands
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(peak.group(1)) // 1024


def crawl(web: NewsWeb, db: Path, workers: int) -> CrawlRun:
    """Run one crawl in a subprocess and measure it; its own usage is sampled until it exits."""
    cmd = [
        str(Path(sys.executable).parent / "newsarchive"),
        "crawl",
        *[web.url(n) for n in web.sites],
        "--db",
        str(db),
        "-s",
        f"EXTRACT_WORKERS={workers}",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "CONCURRENT_REQUESTS=32",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s",
        "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    # the crawl runs this checkout's code, whichever one the installed console script points at
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    own: list[tuple[float, int] | None] = [None]

    def sample() -> None:  # the last reading before the process exits (at most 50 ms of it missed)
        while proc.poll() is None:
            own[0] = _own_usage(proc.pid) or own[0]
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = proc.communicate()
    sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = resource.getrusage(resource.RUSAGE_SELF)
    if proc.returncode:
        sys.exit(f"crawl failed:\n{stderr}")
    counts = {k: int(v) for k, v in re.findall(r"│ (pages fetched|articles new|duplicates found)\s*│ (\d+)", stderr)}
    return CrawlRun(
        wall,
        _cpu(before, after),
        own[0][0] if own[0] else None,
        counts["pages fetched"],
        counts["articles new"] + counts["duplicates found"],
        own[0][1] if own[0] else None,
        after.ru_maxrss // 1024,
        _cpu(server_before, server_after),
    )


def _cpu(before: resource.struct_rusage, after: resource.struct_rusage) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pool_rate(pages: list[tuple[str, str]], workers: int) -> float:
    """Return pages/s of the crawl's extraction pool alone, all pages submitted at once (after the workers start)."""

    async def run() -> float:
        await pool.run(extract_page, *reversed(pages[0]))  # workers are spawned lazily: not timed
        start = time.perf_counter()
        await asyncio.gather(*(pool.run(extract_page, html, url) for url, html in pages))
        return len(pages) / (time.perf_counter() - start)

    pool = ExtractionPool(PoolConfig(workers=workers))
    try:
        return asyncio.run(run())
    finally:
        pool.close()


def single_core_rate(extract, pages: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for url, html in pages:
        extract(html, url)
    return len(pages) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--sites", type=int, default=3)
    parser.add_argument("--stories", type=int, default=800, help="stories per site")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers of the all-cores run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    stories = generated_stories(load_stories(args.data), args.sites * args.stories, rng)
    sites = [
        Site(
            f"Bench Site {i}",
            THEMES[i % 3],
            stories[i * args.stories : (i + 1) * args.stories],
            discovery=DISCOVERY[i % 3],
        )
        for i in range(args.sites)
    ]
    with NewsWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
        rendered = {site.name: site.render() for site in sites}
        pages = [
            (site.article_url(s), rendered[site.name][site.article_path(s)][2].decode("utf-8"))
            for site in sites
            for s in site.stories
        ]
        load_before = os.getloadavg()[0]
        runs = {workers: crawl(web, Path(tmp) / f"w{workers}.db", workers) for workers in (1, args.workers)}
        load_after = os.getloadavg()[0]
    plain_rate = single_core_rate(lambda html, url: trafilatura.extract(html), pages)
    ours_rate = single_core_rate(extract_page, pages)
    pool_rates = {workers: pool_rate(pages, workers) for workers in (1, args.workers)}

    print(
        f"loopback web: {args.sites} sites, {len(pages)} article pages (+ as many /print/ copies); "
        f"{os.cpu_count()} CPU cores on this machine; load average {load_before:.2f} before the crawls, "
        f"{load_after:.2f} after\n"
    )
    print(
        f"{'':38}{'articles/s':>11}{'fetched/s':>10}{'cores busy':>11}{'+ server':>9}{'main ms/page':>13}"
        f"{'vs plain 1 core':>16}{'peak RSS main/max':>19}"
    )
    for workers, run in runs.items():
        name = f"newsarchive crawl, {workers} worker{'s' if workers > 1 else ''}"
        rate = run.archived / run.wall
        main_ms = f"{1000 * run.main_cpu / run.fetched:.2f}" if run.main_cpu is not None else "n/a"
        rss = f"{run.main_rss if run.main_rss is not None else '?'}/{run.max_rss} MB"
        busy = f"{run.cpu / run.wall:>11.2f}{(run.cpu + run.server_cpu) / run.wall:>9.2f}"
        print(
            f"{name:38}{rate:>11.1f}{run.fetched / run.wall:>10.1f}{busy}{main_ms:>13}"
            f"{rate / plain_rate:>16.2f}{rss:>19}"
        )
        if run.archived != len(pages):
            print(f"{'':38}(archived {run.archived} of {len(pages)} article pages)")
    for workers, rate in pool_rates.items():
        name = f"extraction pool alone, {workers} worker{'s' if workers > 1 else ''}"
        print(f"{name:38}{rate:>11.1f}{'':>10}{'':>20}{'':>13}{rate / plain_rate:>16.2f}")
    print(
        f"{'ours extract_page, in process, 1 core':38}{ours_rate:>11.1f}{'':>10}{'1':>11}{'':>9}{'':>13}{ours_rate / plain_rate:>16.2f}"
    )
    print(f"{'plain trafilatura.extract, 1 core':38}{plain_rate:>11.1f}{'':>10}{'1':>11}{'':>9}{'':>13}{1.0:>16.2f}")
    one, many = runs[1], runs[args.workers]
    print(f"\n{args.workers}-worker crawl / 1-worker crawl: {one.wall / many.wall:.2f}x the articles/s")
    print("cores busy: CPU seconds of the crawl's processes / wall seconds; + server: with the loopback web serving it")
    print(
        "main ms/page: CPU time of the crawl's own process (event loop, archive, WARC; not the workers) per page fetched"
    )


if __name__ == "__main__":
    main()
