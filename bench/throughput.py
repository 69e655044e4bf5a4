"""Throughput benchmark: ``newsarchive crawl`` of a loopback web against plain trafilatura and a naive crawler.

    python bench/throughput.py [--web real] [--sites 3] [--articles 1000] [--workers N] [--no-naive] [--profile-main]
                               [-s NAME=VALUE ...]
    python bench/throughput.py --web light [--sites 3] [--stories 800] [--workers N]

``--web real`` (the default): the pages weigh what real news pages weigh. Every
article page is a copy of one of the extraction-dev pages with its paragraphs
drawn anew and its in-site links pointed into the loopback site, and hubs list
100-300 articles each (``bench/realweb.py``). Crawled once by ``newsarchive crawl``
with politeness off (``-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False
-s CONCURRENT_REQUESTS_PER_DOMAIN=16``) and once by the naive single-process
crawler of ``bench/naive.py``; plain ``trafilatura.extract`` runs over the same
article pages on one core (CPU time). ``--profile-main`` crawls once more with
the crawl's own process under cProfile and prints where its time goes, per page.

``--web light``: generated pages of ~5 KB (stories made of extraction-dev
paragraphs, each also under a /print/ URL), crawled with 1 extraction worker and
with one per core, the extraction pool alone, ours and plain trafilatura in process.

Both print pages/s, the CPU cores the crawl kept busy (CPU seconds of the crawl's
processes / wall seconds; "+ server" adds the loopback web, which runs in this
process on the same cores), the CPU milliseconds per page fetched of the crawl's
own process (Scrapy's event loop, the archive, WARC; not the workers) and of its
workers, peak memory of the crawl's process and of the largest process, and the
machine's load average while the crawls ran (other work on the machine shows in
the wall-clock rates; the CPU per page hardly depends on it).
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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realweb  # noqa: E402
from end_to_end import load_stories  # noqa: E402
from extraction import default_data  # noqa: E402

from crawler.demo.newsweb import NewsWeb, Site, Story  # noqa: E402
from crawler.extract.article import extract_page  # noqa: E402
from crawler.extract.pool import ExtractionPool, PoolConfig  # noqa: E402

THEMES = ("topix", "ledger", "wire")
#: The light web's crawl: no throttling (its own politeness settings are left on).
LIGHT_SETTINGS: dict[str, object] = {
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}
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
    #: peak RSS in MB of the crawl's own process, and of its largest other process (a worker; 0: none)
    main_rss: int | None
    max_rss: int
    #: CPU seconds of this process meanwhile: the loopback web serving the crawl (and the light sampler)
    server_cpu: float
    #: what the crawler printed on stdout
    detail: str = ""
    #: pages served so far -> (RSS MB of the crawl's process, RSS MB of its largest worker) then
    rss_at: dict[int, tuple[int, int]] = field(default_factory=dict)

    def counted(self, fetched: int, archived: int) -> CrawlRun:
        return replace(self, fetched=fetched, archived=archived)


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


def _rss(pid: int) -> int:
    """Return the RSS in MB of process ``pid`` now (0 if it is gone)."""
    try:
        found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0
    return int(found.group(1)) // 1024 if found else 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def crawl_command(web: NewsWeb, db: Path, settings: dict[str, object]) -> list[str]:
    """Return the ``newsarchive crawl`` command line for every site of ``web`` with ``settings`` as ``-s`` overrides."""
    cmd = [str(Path(sys.executable).parent / "newsarchive"), "crawl", *[web.url(n) for n in web.sites], "--db", str(db)]
    for name, value in (settings | {"NEWSARCHIVE_PROGRESS_INTERVAL": 0}).items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def crawl(
    web: NewsWeb, db: Path, workers: int, settings: dict[str, object] | None = None, marks: tuple[int, ...] = ()
) -> CrawlRun:
    """Run one ``newsarchive crawl`` in a subprocess and measure it (RSS also when ``marks`` pages were served)."""
    overrides = {"EXTRACT_WORKERS": workers} | (LIGHT_SETTINGS if settings is None else settings)
    run, stderr = measured(crawl_command(web, db, overrides), lambda: len(web.requests), marks)
    counts = {k: int(v) for k, v in re.findall(r"│ (pages fetched|articles new|duplicates found)\s*│ (\d+)", stderr)}
    return run.counted(counts["pages fetched"], counts["articles new"] + counts["duplicates found"])


def measured(
    cmd: list[str], served: Callable[[], int] | None = None, marks: tuple[int, ...] = ()
) -> tuple[CrawlRun, str]:
    """Run ``cmd`` (a crawler) in a subprocess; return its usage (counts zero) and its stderr; stdout is in ``detail``.

    Its own CPU and the peak memory of it and of each of its children (the workers) are sampled from
    /proc until it exits (the children's rusage would count the memory this process had when it forked);
    the RSS of each is noted too when ``served()`` first reaches each of ``marks``.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    # the crawl runs this checkout's code, whichever one the installed console script points at
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    own: list[tuple[float, int] | None] = [None]
    peaks: dict[int, int] = {}
    rss_at: dict[int, tuple[int, int]] = {}
    due = sorted(marks)

    def sample() -> None:  # the last reading before the process exits (at most 50 ms of it missed)
        while proc.poll() is None:
            own[0] = _own_usage(proc.pid) or own[0]
            children = _children(proc.pid)
            for child in children:
                if usage := _own_usage(child):
                    peaks[child] = usage[1]
            if due and served is not None and served() >= due[0]:
                rss_at[due.pop(0)] = (_rss(proc.pid), max((_rss(c) for c in children), default=0))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = resource.getrusage(resource.RUSAGE_SELF)
    if proc.returncode:
        sys.exit(f"{cmd[0]} failed:\n{stderr}")
    run = CrawlRun(
        wall,
        _cpu(before, after),
        own[0][0] if own[0] else None,
        0,
        0,
        own[0][1] if own[0] else None,
        max(peaks.values(), default=0),
        _cpu(server_before, server_after),
        stdout,
        rss_at,
    )
    return run, stderr


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", choices=("real", "light"), default="real", help="pages of real weight, or light ones")
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--sites", type=int, default=3)
    parser.add_argument("--stories", type=int, default=800, help="light web: stories per site")
    parser.add_argument("--articles", type=int, default=1000, help="real web: article pages per site")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers of the all-cores run")
    parser.add_argument("--no-naive", action="store_true", help="real web: do not run the naive crawler")
    parser.add_argument(
        "--profile-main",
        action="store_true",
        help="real web: crawl once more under cProfile and print its main process",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="real web: a setting of our crawl"
    )
    args = parser.parse_args()
    (real_web if args.web == "real" else light_web)(args)


def light_web(args: argparse.Namespace) -> None:
    """Crawl generated pages of ~5 KB with 1 and N workers; the pool alone; plain trafilatura on one core."""
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
    plain_rate = cpu_rate(lambda html, url: trafilatura.extract(html), pages)
    ours_rate = cpu_rate(extract_page, pages)
    pool_rates = {workers: pool_rate(pages, workers) for workers in (1, args.workers)}

    print(
        f"loopback web: {args.sites} sites, {len(pages)} article pages (+ as many /print/ copies); "
        f"{os.cpu_count()} CPU cores on this machine; load average {load_before:.2f} before the crawls, "
        f"{load_after:.2f} after\n"
    )
    print(
        f"{'':38}{'articles/s':>11}{'fetched/s':>10}{'cores busy':>11}{'+ server':>9}{'main ms/page':>13}"
        f"{'vs plain 1 core':>16}{'peak RSS main/worker':>22}"
    )
    for workers, run in runs.items():
        name = f"newsarchive crawl, {workers} worker{'s' if workers > 1 else ''}"
        rate = run.archived / run.wall
        main_ms = f"{1000 * run.main_cpu / run.fetched:.2f}" if run.main_cpu is not None else "n/a"
        rss = f"{run.main_rss if run.main_rss is not None else '?'}/{run.max_rss} MB"
        busy = f"{run.cpu / run.wall:>11.2f}{(run.cpu + run.server_cpu) / run.wall:>9.2f}"
        print(
            f"{name:38}{rate:>11.1f}{run.fetched / run.wall:>10.1f}{busy}{main_ms:>13}"
            f"{rate / plain_rate:>16.2f}{rss:>22}"
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


#: The real web's crawl: politeness off, as the issue's numbers were measured.
REAL_SETTINGS: dict[str, object] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


#: Pages served at which the real web's crawl has the RSS of its processes read (the issue asks 1k and 3k).
MEMORY_MARKS = (1000, 2000, 3000)


def real_web(args: argparse.Namespace) -> None:
    """Crawl copies of the real extraction-dev pages: ours, the naive crawler, plain trafilatura on one core."""
    pages = realweb.load_pages(args.data)
    sites = [realweb.RealSite(f"Real Site {i}", pages, args.articles, seed=args.seed + i) for i in range(args.sites)]
    with NewsWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:  # type: ignore[arg-type]
        served = [
            (server.site.base_url + path, server.files[path][2].decode("utf-8"))
            for server in web._servers.values()
            for path in server.site.article_paths
        ]
        sizes = sorted(len(body) for _, body in served)
        plain_rate = cpu_rate(lambda html, url: trafilatura.extract(html), served)
        print(
            f"real-weight loopback web: {args.sites} sites, {len(served)} article pages of median "
            f"{sizes[len(sizes) // 2] // 1000} KB, p90 {sizes[len(sizes) * 9 // 10] // 1000} KB (copies of the "
            f"{len(pages)} extraction-dev pages), + hubs; {os.cpu_count()} CPU cores; load average "
            f"{os.getloadavg()[0]:.2f} at the start\n",
            flush=True,
        )
        print(
            f"{'':44}{'pages/s':>8}{'fetched':>8}{'cores busy':>11}{'+ server':>9}{'main ms/pg':>11}"
            f"{'workers ms/pg':>14}{'vs 2x plain':>12}{'peak RSS main/worker':>22}"
        )
        print(
            f"{'plain trafilatura.extract, 1 core (CPU time)':44}{plain_rate:>8.1f}{'':>8}{1:>11}{'':>9}{'':>11}{'':>14}{0.5:>12.2f}"
        )
        settings = REAL_SETTINGS | dict(item.split("=", 1) for item in args.set)
        ours = crawl(web, Path(tmp) / "ours.db", args.workers, settings, marks=MEMORY_MARKS)
        _row(f"newsarchive crawl, {args.workers} workers", ours, plain_rate, workers=True)
        for served, (main_rss, worker_rss) in ours.rss_at.items():
            print(f"{'':4}RSS at {served:,} pages served: crawl process {main_rss} MB, largest worker {worker_rss} MB")
        if not args.no_naive:
            cmd = [sys.executable, str(ROOT / "bench" / "naive.py"), "--db", str(Path(tmp) / "naive.db")]
            run, _ = measured(cmd + [web.url(n) for n in web.sites])
            found = dict(re.findall(r"(fetched|archived|duplicates) (\d+)", run.detail))
            naive = run.counted(int(found["fetched"]), int(found["archived"]) + int(found["duplicates"]))
            _row("naive crawler (1 process)", naive, plain_rate, workers=False)
            print(f"\nours / naive: {(ours.archived / ours.wall) / (naive.archived / naive.wall):.2f}x the pages/s")
        print(
            f"load average {os.getloadavg()[0]:.2f} at the end\n"
            "pages/s: article pages archived (new or duplicate) per wall second; fetched: every page fetched (hubs, 404s)\n"
            "main ms/pg, workers ms/pg: CPU milliseconds per page fetched of the crawl's own process and of its children\n"
            "vs 2x plain: pages/s over twice plain trafilatura's single-core rate (its CPU time, so the machine's other\n"
            "work does not count against it): the issue's target is 0.6, the loopback server sharing the cores",
            flush=True,
        )
        if args.profile_main:
            print(profile_main(web, Path(tmp), args.workers))


def _row(name: str, run: CrawlRun, plain_rate: float, workers: bool) -> None:
    rate = run.archived / run.wall
    main_ms = f"{1000 * run.main_cpu / run.fetched:.1f}" if run.main_cpu is not None else "n/a"
    others = f"{1000 * (run.cpu - run.main_cpu) / run.fetched:.1f}" if workers and run.main_cpu is not None else "-"
    # the naive crawler has no workers
    rss = f"{run.main_rss if run.main_rss is not None else '?'}/{run.max_rss if workers else '-'} MB"
    print(
        f"{name:44}{rate:>8.1f}{run.fetched:>8}{run.cpu / run.wall:>11.2f}{(run.cpu + run.server_cpu) / run.wall:>9.2f}"
        f"{main_ms:>11}{others:>14}{rate / (2 * plain_rate):>12.2f}{rss:>22}",
        flush=True,
    )


def cpu_rate(extract, pages: list[tuple[str, str]]) -> float:
    """Return pages per CPU second of ``extract`` over ``pages`` in this process, one after another."""
    start = time.process_time()
    for url, html in pages:
        extract(html, url)
    return len(pages) / (time.process_time() - start)


def profile_main(web: NewsWeb, tmp: Path, workers: int) -> str:
    """Crawl again with the crawl's own process under cProfile; return the functions its time went to, per page."""
    import pstats

    out = tmp / "main.prof"
    cmd = crawl_command(web, tmp / "profiled.db", {"EXTRACT_WORKERS": workers} | REAL_SETTINGS)
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "crawler.cli", *cmd[1:]]
    run, stderr = measured(cmd)
    fetched = int(re.findall(r"│ pages fetched\s*│ (\d+)", stderr)[0])
    stats = pstats.Stats(str(out))
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])  # type: ignore[attr-defined]
    lines = [f"\nmain process under cProfile ({fetched} pages, {run.wall:.0f} s wall; cProfile slows it): ms/page"]
    lines.append(f"{'cumulative':>11}{'own':>8}  function")
    shown = 0
    for (path, line, name), (_, _, own, cumulative, _) in rows:
        if not any(part in path for part in ("crawler/", "storage/", "scrapy/", "parsel/", "warcio/", "w3lib/")):
            continue
        lines.append(
            f"{1000 * cumulative / fetched:>11.2f}{1000 * own / fetched:>8.2f}  {name} ({path.split('site-packages/')[-1]}:{line})"
        )
        shown += 1
        if shown == 40:
            break
    return "\n".join(lines)


if __name__ == "__main__":
    main()
