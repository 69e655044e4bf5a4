"""Re-crawl benchmark: what a first crawl, an unchanged re-crawl and a re-crawl after changes fetch and miss.

The generated three-site web of ``bench/end_to_end.py`` (the extraction-dev
pages, with reposts), made as deep as real sites: listings of 5 stories a page,
sitemaps and feeds naming only the 20 newest, the oldest stories of each site
only in its paginated archive (linked from every page's footer), news briefs of
30-80 words that declare themselves articles, and dates in each site's own
clock, to the day. After the unchanged re-crawl, 10% more stories and a brief
per site are published and two stories per site edited, the edits dated a few
days after publication (in the past).

The re-crawl after changes runs twice from copies of the same archive: ours
(incremental) and the reference, a full re-crawl (``-s INCREMENTAL_ENABLED=False``).

    python bench/recrawl.py [--data ../shared/data/extraction-dev] [--seed 1]

Prints, per crawl, requests by kind (robots, sitemap, feed, listing, article)
and status; the stories missed by the channel that announces them (sitemap,
news sitemap, feed, listing only, deep archive only); new stories and versions.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from end_to_end import ROOT, build_web, load_stories

from crawler.demo.newsweb import NewsWeb, Site, Story
from crawler.demo.newsweb.server import LoggedRequest

NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")
CLOCKS = ("+09:00", "-05:00", "+05:30")
KINDS = ("robots", "sitemap", "feed", "listing", "article")
DEEP_SHARE = 0.15
ADDITION = "Update: this story has been corrected after publication."


@dataclasses.dataclass
class Crawl:
    name: str
    seconds: float
    requests: list[LoggedRequest]
    new_stories: int
    new_versions: int
    errors: int
    archived: set[str]
    #: URL -> earlier versions of its story
    versions: Counter[str]
    #: the stories' own URLs (a page first archived as a copy of another site's story has no versions)
    stories: set[str]


def crawl(name: str, web: NewsWeb, db: Path, *settings: str) -> Crawl:
    """Run ``newsarchive crawl`` of the whole web into ``db``; return what it requested and did."""
    cmd = [
        NEWSARCHIVE,
        "crawl",
        *[web.url(n) for n in web.sites],
        "--db",
        str(db),
        "-s",
        "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    ]
    for setting in settings:
        cmd += ["-s", setting]
    before = len(web.requests)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{name} crawl failed:\n{result.stderr}")
    if "WARNING" in result.stderr or "Traceback" in result.stderr:
        print(f"{name} crawl's warnings:\n{result.stderr}", file=sys.stderr)
    with closing(sqlite3.connect(db)) as conn:
        new, versions, errors = conn.execute(
            "SELECT new_stories, new_versions, errors FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        archived = {url for (url,) in conn.execute("SELECT url FROM sightings")}
        earlier = Counter(
            dict(
                conn.execute(
                    "SELECT s.url, count(*) FROM story_versions v JOIN stories s ON s.id = v.story_id GROUP BY s.url"
                )
            )
        )
        own = {url for (url,) in conn.execute("SELECT url FROM stories")}
    return Crawl(name, seconds, web.requests[before:], new, versions, errors, archived, earlier, own)


def briefs() -> list[Story]:
    data = json.loads((ROOT / "tests" / "data" / "briefs.json").read_text("utf-8"))
    return [
        Story(slug=b["slug"], title=b["title"], author="Desk", published="", section="world", body=tuple(b["body"]))
        for b in data
    ]


def deepen(sites: list[Site], rng: random.Random, start: date) -> None:
    """Date the stories day by day, page listings, hide each site's oldest stories in its archive, set its clock."""
    for site, clock in zip(sites, CLOCKS):
        for i, story in enumerate(site.stories):
            site.stories[i] = dataclasses.replace(story, published=(start + timedelta(days=i)).isoformat())
        oldest = site.stories[: int(len(site.stories) * DEEP_SHARE)]
        site.deep = tuple(s.slug for s in oldest if not s.slug.endswith("-repost"))
        site.per_page, site.archive, site.clock, site.announce_latest = 5, True, clock, 20


def channels(site: Site) -> dict[str, str]:
    """Return article URL -> the channel that announces it: sitemap, news sitemap, feed, listing or deep archive."""
    announced = sorted((s for s in site.stories if s.slug not in site.deep), key=lambda s: s.published, reverse=True)
    newest = {s.slug for s in announced[: site.announce_latest]}
    channel = {"sitemap": "sitemap", "news-sitemap": "news sitemap", "feed": "feed"}[site.discovery[0]]
    return {
        site.article_url(s): "deep archive" if s.slug in site.deep else channel if s.slug in newest else "listing"
        for s in site.stories
    }


def kind_of(path: str, articles: set[str]) -> str:
    if path == "/robots.txt":
        return "robots"
    if "sitemap" in path:
        return "sitemap"
    if path.removeprefix("/print").split("?")[0] in articles:
        return "article"
    if path in ("/feed.xml", "/atom.xml") or path.rstrip("/") in (
        "/feed",
        "/rss",
        "/rss.xml",
        "/feed.xml",
        "/index.xml",
    ):
        return "feed"
    return "listing"


def print_requests(crawls: list[Crawl], articles: set[str]) -> None:
    counts = {c.name: Counter((kind_of(r.path, articles), r.status) for r in c.requests) for c in crawls}
    keys = sorted({k for counter in counts.values() for k in counter}, key=lambda k: (KINDS.index(k[0]), k[1]))
    print(f"{'requests by kind, status':26}" + "".join(f"{c.name:>16}" for c in crawls))
    for kind, status in keys:
        print(f"  {kind:12}{status:<12}" + "".join(f"{counts[c.name][(kind, status)]:>16}" for c in crawls))
    print(f"  {'all':24}" + "".join(f"{len(c.requests):>16}" for c in crawls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "extraction-dev")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    stories = load_stories(args.data)
    rng.shuffle(stories)
    held = max(3, len(stories) // 10)
    sites, _ = build_web(stories[held:], reposts=0.4, seed=args.seed)
    start = date(2019, 1, 1)
    deepen(sites, rng, start)
    short = briefs()
    for site in sites:
        site.stories += [
            dataclasses.replace(b, published=(start + timedelta(days=400 + i)).isoformat())
            for i, b in enumerate(short[:2])
        ]
        short = short[2:]
    work = Path(tempfile.mkdtemp(prefix="recrawl-"))
    with NewsWeb(sites) as web:
        first = crawl("first", web, work / "archive.db")
        truth_first = {u: c for site in sites for u, c in channels(site).items()}
        unchanged = crawl("unchanged", web, work / "archive.db")
        edited: list[str] = []
        for i, site in enumerate(sites):
            site.stories += [
                dataclasses.replace(s, published=(start + timedelta(days=500 + j)).isoformat())
                for j, s in enumerate(stories[i:held:3])
            ]
            if short:
                site.stories.append(
                    dataclasses.replace(short.pop(), published=(start + timedelta(days=520)).isoformat())
                )
            announced = set(channels(site)) - {u for u, c in channels(site).items() if c in ("listing", "deep archive")}
            originals = [
                k
                for k, s in enumerate(site.stories)
                if site.article_url(s) in announced and site.article_url(s) in first.stories and len(s.body) > 3
            ]
            for j in rng.sample(originals, 2):  # edits a sitemap or feed announces, of pages archived as stories
                story = site.stories[j]
                updated = (date.fromisoformat(story.published) + timedelta(days=3)).isoformat()
                site.stories[j] = dataclasses.replace(story, body=(*story.body, ADDITION), updated=updated)
                edited.append(site.article_url(story))
        web.publish()
        shutil.copy(work / "archive.db", work / "full.db")
        changed = crawl("changed", web, work / "archive.db")
        full = crawl("full (ref.)", web, work / "full.db", "INCREMENTAL_ENABLED=False")
    if not os.environ.get("RECRAWL_KEEP"):
        shutil.rmtree(work)
    truth = {u: c for site in sites for u, c in channels(site).items()}
    articles = {p for site in sites for s in site.stories for p in (site.article_path(s),)}
    new_urls = set(truth) - set(truth_first)
    print(
        f"web: {len(truth_first)} article pages at first ({sum(c == 'deep archive' for c in truth_first.values())} "
        f"only in deep archives), then {len(new_urls)} new and {len(edited)} edited"
    )
    print_requests([first, unchanged, changed, full], articles)
    print(f"{'missed, by channel':26}{'first':>16}{'changed':>16}{'full (ref.)':>16}")
    for channel in ("sitemap", "news sitemap", "feed", "listing", "deep archive"):
        total_first = [u for u, c in truth_first.items() if c == channel]
        total = [u for u, c in truth.items() if c == channel]
        print(
            f"  {channel:24}"
            + "".join(
                f"{f'{sum(u not in crawl.archived for u in urls)} of {len(urls)}':>16}"
                for crawl, urls in ((first, total_first), (changed, total), (full, total))
            )
        )
    unchanged_articles = {
        p
        for site in sites
        for s in site.stories
        for p in (site.article_path(s),)
        if site.article_url(s) not in new_urls and site.article_url(s) not in edited
    }
    print(f"{'':26}" + "".join(f"{c.name:>16}" for c in (first, unchanged, changed, full)))
    for label, values in [
        ("new stories", [c.new_stories for c in (first, unchanged, changed, full)]),
        ("new versions", [c.new_versions for c in (first, unchanged, changed, full)]),
        ("errors", [c.errors for c in (first, unchanged, changed, full)]),
        (
            "unchanged-article requests",
            ["-", sum(kind_of(r.path, articles) == "article" for r in unchanged.requests)]
            + [
                sum(r.path.removeprefix("/print").split("?")[0] in unchanged_articles for r in c.requests)
                for c in (changed, full)
            ],
        ),
        ("seconds", [f"{c.seconds:.1f}" for c in (first, unchanged, changed, full)]),
    ]:
        print(f"  {label:24}" + "".join(f"{v:>16}" for v in values))
    edited_paths = {urlsplit(u).path for u in edited}
    print(
        f"edited pages fetched: {len({r.path for r in changed.requests if r.path in edited_paths})} of {len(edited)} (ours)"
    )
    print(
        f"edits archived as a new version: {sum(changed.versions[u] > 0 for u in edited)} of {len(edited)} (ours), "
        f"{sum(full.versions[u] > 0 for u in edited)} of {len(edited)} (full re-crawl)"
    )


if __name__ == "__main__":
    main()
