"""Re-crawl benchmark: what a scheduled re-crawl costs once little has changed.

The generated three-site web of ``bench/end_to_end.py`` (the extraction-dev
pages, with reposts) is crawled once; then 10% more stories are published and
three archived stories are edited (announced by their sitemap lastmod / feed
date). The same archive is re-crawled two ways, each from a copy of it, against
the same web: ours (incremental: known articles skipped, listings revalidated
with conditional GET) and the reference, a full re-crawl
(``-s INCREMENTAL_ENABLED=False``), as this crawler did before it kept a fetch log.

    python bench/recrawl.py [--data ../shared/data/extraction-dev] [--seed 1]

Prints requests (all, article pages, 304s), new stories, new versions, seconds,
and the crawl process's peak memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from end_to_end import ROOT, build_web, load_stories

from crawler.newsweb import NewsWeb, Site

NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")
PEAK = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); sys.exit(r.returncode)"


@dataclasses.dataclass
class Crawl:
    seconds: float
    requests: int
    article_requests: int
    not_modified: int
    new_stories: int
    new_versions: int
    peak_mb: int


def crawl(web: NewsWeb, db: Path, article_paths: set[str], *settings: str) -> Crawl:
    """Run ``newsarchive crawl`` of the whole web into ``db``; return what it cost and did."""
    cmd = [NEWSARCHIVE, "crawl", *[web.url(n) for n in web.sites], "--db", str(db), "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0"]
    for setting in settings:
        cmd += ["-s", setting]
    before = len(web.requests)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK, *cmd], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"crawl failed:\n{result.stderr}")
    requests = web.requests[before:]
    with sqlite3.connect(db) as conn:
        new, versions = conn.execute("SELECT new_stories, new_versions FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    return Crawl(
        seconds=seconds,
        requests=len(requests),
        article_requests=sum(1 for r in requests if r.path.split("?")[0] in article_paths),
        not_modified=sum(1 for r in requests if r.status == 304),
        new_stories=new,
        new_versions=versions,
        peak_mb=int(result.stdout.split()[-1]),
    )


def article_paths(sites: list[Site]) -> set[str]:
    return {p for site in sites for story in site.stories for p in (site.article_path(story), "/print" + site.article_path(story))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "extraction-dev")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    stories = load_stories(args.data)
    random.Random(args.seed).shuffle(stories)
    held = max(1, len(stories) // 10)
    sites, _ = build_web(stories[held:], reposts=0.4, seed=args.seed)
    work = Path(tempfile.mkdtemp(prefix="recrawl-"))
    with NewsWeb(sites) as web:
        first = crawl(web, work / "first.db", article_paths(sites))
        for i, story in enumerate(stories[:held]):
            sites[i % 3].stories.append(story)
        now = datetime.now(timezone.utc).isoformat()
        for site in sites:  # one story per site edited, announced by its sitemap lastmod or feed date
            i = next(i for i, story in enumerate(site.stories) if not story.slug.endswith("-repost"))
            site.stories[i] = dataclasses.replace(site.stories[i], body=(*site.stories[i].body, "Update: corrected."), updated=now)
        web.publish()
        paths = article_paths(sites)
        for name in ("ours", "full"):
            shutil.copy(work / "first.db", work / f"{name}.db")
        ours = crawl(web, work / "ours.db", paths)
        full = crawl(web, work / "full.db", paths, "INCREMENTAL_ENABLED=False")
    shutil.rmtree(work)
    print(f"web: {len(paths) // 2} article pages after publishing {held} new stories and editing 3; "
          f"first crawl {first.requests} requests, {first.new_stories} stories, {first.seconds:.1f} s")
    print(f"{'re-crawl':28}{'ours (incremental)':>22}{'full re-crawl':>22}")
    for label, field in [("requests", "requests"), ("article-page requests", "article_requests"),
                         ("304 Not Modified", "not_modified"), ("new stories", "new_stories"),
                         ("new versions", "new_versions"), ("peak memory (MB)", "peak_mb")]:
        print(f"{label:28}{getattr(ours, field):>22}{getattr(full, field):>22}")
    print(f"{'seconds':28}{ours.seconds:>22.1f}{full.seconds:>22.1f}")


if __name__ == "__main__":
    main()
