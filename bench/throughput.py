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
(CPU seconds of the crawl's processes / wall seconds), peak memory, and the
ratio of each to plain trafilatura's single-core pages/s.
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
import time
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawler.extraction import extract_page  # noqa: E402
from crawler.extraction_pool import ExtractionPool, PoolConfig  # noqa: E402
from crawler.newsweb import NewsWeb, Site, Story  # noqa: E402
from end_to_end import load_stories  # noqa: E402
from extraction import default_data  # noqa: E402

THEMES = ("topix", "ledger", "wire")
DISCOVERY = (("sitemap",), ("feed",), ("news-sitemap",))


def generated_stories(pool: list[Story], count: int, rng: random.Random) -> list[Story]:
    """Return ``count`` stories of 6-14 paragraphs drawn from the paragraphs of ``pool``."""
    paragraphs = [line for story in pool for line in story.body if len(line.split()) >= 12]
    stories = []
    for i in range(count):
        body = rng.sample(paragraphs, rng.randint(6, 14))
        title = " ".join(body[0].split()[:9]).rstrip(".,;:")
        stories.append(Story(slug=f"story-{i:05d}-{re.sub(r'[^a-z0-9]+', '-', title.lower())[:40].strip('-')}",
                             title=title, author="Staff", published=f"20{10 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                             section=("world", "business", "culture")[i % 3], body=tuple(body)))
    return stories


def crawl(web: NewsWeb, db: Path, workers: int) -> tuple[float, float, int, int, int]:
    """Run one crawl; return (wall s, CPU s of its processes, pages fetched, articles archived, peak RSS MB)."""
    cmd = [str(Path(sys.executable).parent / "newsarchive"), "crawl", *[web.url(n) for n in web.sites], "--db", str(db),
           "-s", f"EXTRACT_WORKERS={workers}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=32",
           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"crawl failed:\n{result.stderr}")
    counts = {k: int(v) for k, v in re.findall(r"│ (pages fetched|articles new|duplicates found)\s*│ (\d+)", result.stderr)}
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, counts["pages fetched"], counts["articles new"] + counts["duplicates found"], after.ru_maxrss // 1024


def pool_rate(pages: list[tuple[str, str]], workers: int) -> float:
    """Return pages/s of the crawl's extraction pool alone, all pages submitted at once (after the workers start)."""

    async def run() -> float:
        await pool.extract(*reversed(pages[0]))  # workers are spawned lazily: not timed
        start = time.perf_counter()
        await asyncio.gather(*(pool.extract(html, url) for url, html in pages))
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
    sites = [Site(f"Bench Site {i}", THEMES[i % 3], stories[i * args.stories:(i + 1) * args.stories],
                  discovery=DISCOVERY[i % 3]) for i in range(args.sites)]
    with NewsWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
        rendered = {site.name: site.render() for site in sites}
        pages = [(site.article_url(s), rendered[site.name][site.article_path(s)][2].decode("utf-8"))
                 for site in sites for s in site.stories]
        runs = {workers: crawl(web, Path(tmp) / f"w{workers}.db", workers) for workers in (1, args.workers)}
    plain_rate = single_core_rate(lambda html, url: trafilatura.extract(html), pages)
    ours_rate = single_core_rate(extract_page, pages)
    pool_rates = {workers: pool_rate(pages, workers) for workers in (1, args.workers)}

    print(f"loopback web: {args.sites} sites, {len(pages)} article pages (+ as many /print/ copies); "
          f"{os.cpu_count()} CPU cores on this machine\n")
    print(f"{'':40}{'articles/s':>12}{'fetched/s':>11}{'cores busy':>12}{'vs plain 1 core':>17}{'peak RSS':>10}")
    for workers, (wall, cpu, fetched, archived, rss) in runs.items():
        name = f"newsarchive crawl, {workers} worker{'s' if workers > 1 else ''}"
        rate = archived / wall
        print(f"{name:40}{rate:>12.1f}{fetched / wall:>11.1f}{cpu / wall:>12.2f}{rate / plain_rate:>17.2f}"
              f"{f'{rss} MB':>10}")
        if archived != len(pages):
            print(f"{'':40}(archived {archived} of {len(pages)} article pages)")
    for workers, rate in pool_rates.items():
        name = f"extraction pool alone, {workers} worker{'s' if workers > 1 else ''}"
        print(f"{name:40}{rate:>12.1f}{'':>11}{'':>12}{rate / plain_rate:>17.2f}")
    print(f"{'ours extract_page, in process, 1 core':40}{ours_rate:>12.1f}{'':>11}{'1':>12}{ours_rate / plain_rate:>17.2f}")
    print(f"{'plain trafilatura.extract, 1 core':40}{plain_rate:>12.1f}{'':>11}{'1':>12}{1.0:>17.2f}")
    print(f"\nwall time of the 1-worker crawl / the {args.workers}-worker crawl: {runs[1][0] / runs[args.workers][0]:.2f}x")


if __name__ == "__main__":
    main()
