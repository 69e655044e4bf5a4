"""Soak benchmark: one long crawl of a generated loopback web, watched for memory growth and slowdown.

    python bench/soak.py [--pages 20000] [--sites 3] [--per-page 20] [--interval 1] [--seed 1] [--keep DIR]

The web has ``--pages`` article pages on ``--sites`` sites, each a story of its
own (paragraphs drawn from the extraction-dev pages, every text different), plus
section listings of ``--per-page`` stories with next pages, and a sitemap, a
Google News sitemap or an RSS feed per site naming every story (the /print/ copy
each article links to is there too, but a crawl follows links of listings only). One ``newsarchive crawl`` of
it, politeness off (``-s`` overrides: no AutoThrottle, no delay, 32 requests at
once), WARC on, as a user runs it otherwise. Every ``--interval`` seconds the
RSS of each process is read (the crawl's own, each extraction worker, and this
process, which serves the web), with the pages served, the stories archived
and the archive's size on disk (database, WAL and WARC files). Prints, per 1,000
pages served: seconds, pages/s over those 1,000, stories, RSS of each process
and archive MB; then the peaks, and whether memory stayed flat: the RSS of each
kind of process once a quarter of the pages were served, against its peak after.
The crawl's memory should not grow with pages beyond caches of fixed size.
``--tracemalloc FILE`` runs the crawl under tracemalloc and keeps in FILE the
allocation sites that grew most (its rates are then not the crawl's own). Needs
psutil (``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from end_to_end import load_stories  # noqa: E402
from extraction import default_data  # noqa: E402
from throughput import DISCOVERY, THEMES, generated_stories  # noqa: E402

from crawler.demo.newsweb import NewsWeb, Site  # noqa: E402

MB = 1024 * 1024
#: Memory counts as flat if the peak after a quarter of the pages is at most this much above the reading then.
FLAT_WITHIN = 0.10
#: Runs ``newsarchive crawl`` under tracemalloc (``--tracemalloc FILE``): every 30 s, the allocation sites
#: that grew most since the first snapshot (taken 2 minutes in, once the crawl is under way) are written to FILE.
TRACED_CRAWL = r"""
import sys, threading, time, tracemalloc
out = sys.argv.pop(1)
def watch():
    time.sleep(90)
    first = None
    while True:
        time.sleep(30)
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if first is None:
            first = snap
            continue
        with open(out, "w") as f:
            for stat in snap.compare_to(first, "traceback")[:25]:
                f.write(f"{stat}\n" + "\n".join(stat.traceback.format()) + "\n\n")
threading.Thread(target=watch, daemon=True).start()
from crawler.cli import main
sys.argv[0] = "newsarchive"
main()
"""


@dataclass(frozen=True)
class Memory:
    """A process's resident memory: all of it, and its heap (anonymous memory, not mapped from files).

    The crawl maps the SQLite archive into memory (``mmap_size``): the pages it
    reads count in its RSS as file-backed page cache, which grows with the archive
    and which the kernel takes back under pressure. The heap is what a leak grows.
    """

    rss: int
    heap: int

    @classmethod
    def of(cls, process: psutil.Process) -> Memory:
        info = process.memory_info()
        return cls(info.rss, info.rss - info.shared)


@dataclass(frozen=True)
class Sample:
    """One look at the crawl: when, how far it got, and the memory of every process."""

    seconds: float
    served: int
    stories: int
    crawl: Memory
    #: each extraction worker (and multiprocessing's resource tracker), largest first
    workers: tuple[Memory, ...]
    server: Memory
    archive_bytes: int


def build_sites(pages: int, sites: int, per_page: int, seed: int) -> list[Site]:
    """Return ``sites`` sites holding ``pages`` article pages between them."""
    count = max(pages, sites)
    stories = generated_stories(load_stories(default_data()), count, random.Random(seed))
    share = -(-count // sites)
    return [
        Site(
            f"Soak Site {i}",
            THEMES[i % 3],
            stories[i * share : (i + 1) * share],
            discovery=DISCOVERY[i % 3],
            per_page=per_page,
        )
        for i in range(sites)
    ]


def archive_bytes(db: Path) -> int:
    """Return the bytes the archive takes on disk: database, its WAL and the WARC files."""
    files = [db, db.with_name(db.name + "-wal"), *db.with_suffix(".warc").glob("*")]
    return sum(f.stat().st_size for f in files if f.is_file())


def stories_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM sightings").fetchone()[0]
    except sqlite3.Error:
        return 0


class Watcher(threading.Thread):
    """Samples the crawl's process tree, the server and the archive every ``interval`` seconds until it exits."""

    def __init__(self, crawl: subprocess.Popen[str], web: NewsWeb, db: Path, interval: float) -> None:
        super().__init__(daemon=True)
        self.crawl = psutil.Process(crawl.pid)
        self.popen = crawl
        self.web = web
        self.db = db
        self.interval = interval
        self.samples: list[Sample] = []
        self.start_time = time.monotonic()

    def run(self) -> None:
        server = psutil.Process()
        while self.popen.poll() is None:
            try:
                crawl = Memory.of(self.crawl)
                workers = []
                for child in self.crawl.children(recursive=True):
                    try:
                        workers.append(Memory.of(child))
                    except psutil.NoSuchProcess:
                        continue
            except psutil.NoSuchProcess:
                break
            self.samples.append(
                Sample(
                    time.monotonic() - self.start_time,
                    len(self.web.requests),
                    stories_in(self.db),
                    crawl,
                    tuple(sorted(workers, key=lambda m: m.rss, reverse=True)),
                    Memory.of(server),
                    archive_bytes(self.db),
                )
            )
            time.sleep(self.interval)


def crawl_command(web: NewsWeb, db: Path, traced: Path | None) -> list[str]:
    overrides = {
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS": "32",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "NEWSARCHIVE_PROGRESS_INTERVAL": "0",
    }
    settings = [arg for name, value in overrides.items() for arg in ("-s", f"{name}={value}")]
    command = ["crawl", *map(web.url, web.sites), "--db", str(db), *settings]
    if traced:
        return [sys.executable, "-X", "tracemalloc=8", "-c", TRACED_CRAWL, str(traced), *command]
    return [str(Path(sys.executable).parent / "newsarchive"), *command]


def per_thousand(samples: list[Sample]) -> list[tuple[int, Sample, float]]:
    """Return, for each 1,000 pages served, the first sample at or past it and the pages/s since the one before."""
    rows, previous = [], samples[0]
    for sample in samples:
        if sample.served // 1000 > previous.served // 1000 or sample is samples[-1]:
            rate = (sample.served - previous.served) / max(sample.seconds - previous.seconds, 1e-9)
            rows.append((sample.served, sample, rate))
            previous = sample
    return rows


def _mb(value: int) -> str:
    return f"{value / MB:.0f}"


def flatness(samples: list[Sample], pick: Callable[[Sample], int], name: str) -> tuple[bool, str]:
    """Return whether ``pick``'s memory stayed within FLAT_WITHIN of its reading at a quarter of the pages, and why."""
    total = samples[-1].served
    quarter = next(s for s in samples if s.served >= total / 4)
    then = pick(quarter)
    peak = max(pick(s) for s in samples if s.seconds >= quarter.seconds)
    growth = (peak - then) / then if then else 0.0
    flat = growth <= FLAT_WITHIN
    return flat, (
        f"{name}: {_mb(then)} MB at {quarter.served} pages, peak {_mb(peak)} MB after "
        f"({growth:+.1%}): {'flat' if flat else 'GROWS'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20000, help="article pages of the web (stories)")
    parser.add_argument("--sites", type=int, default=3)
    parser.add_argument("--per-page", type=int, default=20, help="stories per listing page")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="put the archive in this new folder and keep it")
    parser.add_argument("--tracemalloc", type=Path, metavar="FILE", help="trace the crawl's allocations to FILE (slow)")
    args = parser.parse_args()

    sites = build_sites(args.pages, args.sites, args.per_page, args.seed)
    with NewsWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "archive.db"
        if db.exists():
            sys.exit(f"{db} exists: --keep needs a new folder")
        env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        load_before = os.getloadavg()[0]
        crawl = subprocess.Popen(
            crawl_command(web, db, args.tracemalloc), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        watcher = Watcher(crawl, web, db, args.interval)
        watcher.start()
        _, stderr = crawl.communicate()
        watcher.join()
        load_after = os.getloadavg()[0]
        if crawl.returncode:
            sys.exit(f"crawl failed ({crawl.returncode}):\n{stderr[-3000:]}")
        samples, final_stories, final_bytes = watcher.samples, stories_in(db), archive_bytes(db)
        served = len(web.requests)
    if len(samples) < 8:
        sys.exit(f"the crawl took {len(samples)} samples: too short to judge; use more --pages")

    stories = sum(len(site.stories) for site in sites)
    wall = samples[-1].seconds
    print(
        f"loopback web: {args.sites} sites, {stories} article pages and their listings; {served} pages served in {wall:.0f} s ({served / wall:.1f}/s), "
        f"{final_stories} stories archived; archive {final_bytes / MB:.0f} MB "
        f"({final_bytes / max(final_stories, 1) / 1024:.1f} KB/story); "
        f"{os.cpu_count()} cores, load average {load_before:.2f} before, {load_after:.2f} after\n"
    )
    print(
        f"{'pages':>7}{'seconds':>9}{'pages/s':>9}{'stories':>9}{'crawl RSS/heap MB':>19}"
        f"{'workers heap MB':>17}{'server RSS MB':>15}{'archive MB':>12}"
    )
    for pages, s, rate in per_thousand(samples):
        workers = "/".join(_mb(w.heap) for w in s.workers) or "-"
        crawl = f"{_mb(s.crawl.rss)}/{_mb(s.crawl.heap)}"
        print(
            f"{pages:>7}{s.seconds:>9.0f}{rate:>9.1f}{s.stories:>9}{crawl:>19}{workers:>17}"
            f"{_mb(s.server.rss):>15}{_mb(s.archive_bytes):>12}"
        )
    worker_heap = lambda s: max((w.heap for w in s.workers), default=0)  # noqa: E731
    worker_rss = lambda s: max((w.rss for w in s.workers), default=0)  # noqa: E731
    print(
        f"\npeak RSS (heap): crawl {_mb(max(s.crawl.rss for s in samples))} "
        f"({_mb(max(s.crawl.heap for s in samples))}) MB, largest worker {_mb(max(map(worker_rss, samples)))} "
        f"({_mb(max(map(worker_heap, samples)))}) MB ({max(len(s.workers) for s in samples)} processes: the "
        f"workers and multiprocessing's resource tracker), server {_mb(max(s.server.rss for s in samples))} MB"
    )
    verdicts = [
        flatness(samples, lambda s: s.crawl.heap, "crawl process, heap"),
        flatness(samples, worker_heap, "largest extraction worker, heap"),
        flatness(samples, lambda s: s.crawl.rss, "crawl process, RSS (with the mapped archive)"),
        flatness(samples, lambda s: s.server.rss, "server (this process: the web, its request log, the sampler), RSS"),
    ]
    for _, line in verdicts:
        print(line)
    ours = all(flat for flat, _ in verdicts[:2])
    print(
        f"heap of the crawl's processes: {'flat' if ours else 'GROWS'} (peak after a quarter of the pages within "
        f"{FLAT_WITHIN:.0%} of the reading then)"
    )
    print(
        "heap: RSS less file-backed pages; the crawl's RSS also holds the pages of the SQLite archive it has "
        "read through mmap (page cache, growing with the archive)"
    )


if __name__ == "__main__":
    main()
