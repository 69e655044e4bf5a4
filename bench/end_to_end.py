"""End-to-end benchmark: crawl a generated news web built from the extraction-dev pages.

Ours (``newsarchive crawl`` in a subprocess, on loopback) against the references
measured in the same run on the same pages: plain ``trafilatura.extract`` for
the text, plain datasketch (``MinHash.update`` per shingle, ``MinHashLSH`` at its
default threshold) for the duplicates.

    python bench/end_to_end.py [--data ../shared/data/extraction-dev] [--reposts 0.4] [--seed 1]

Prints stories and pages found, duplicate-pair precision/recall/F1, the share of
archived texts holding a furniture line of their site, token F1 against the true
text, docs/s and peak memory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

import trafilatura
from datasketch import MinHash, MinHashLSH
from lxml import html as lxml_html

from crawler.demo.newsweb import NewsWeb, Site, Story, edited
from crawler.extract import furniture
from crawler.extract.article import extract_page
from storage import Archive

ROOT = Path(__file__).resolve().parent.parent
WORDS = re.compile(r"\w+")
EDITS = [
    dict(title="Updated: the story so far"),
    dict(dateline="NEW YORK (AP) —"),
    dict(editor_note="Editor's note: This story was first published by a partner site."),
    dict(keep=-2),
    dict(title="What we know", dateline="LONDON (Reuters) —", keep=-1),
]


def load_stories(data: Path) -> list[Story]:
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    stories = []
    for i, (page_id, item) in enumerate(sorted(truth.items())):
        body = [line.strip() for line in item["articleBody"].split("\n") if line.strip()]
        if len(WORDS.findall(" ".join(body))) < 100:
            continue  # too short to be told from a listing page; not what this bench measures
        doc = lxml_html.fromstring(gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8"))
        title = doc.xpath("string(//meta[@property='og:title']/@content)") or doc.xpath("string(//title)")
        stories.append(
            Story(
                slug=f"story-{page_id[:10]}",
                title=" ".join(title.split()) or page_id,
                author="Staff",
                published=f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}",
                section=("world", "business", "culture")[i % 3],
                body=tuple(body),
            )
        )
    return stories


def build_web(stories: list[Story], reposts: float, seed: int) -> tuple[list[Site], dict[tuple[str, str], str]]:
    rng = random.Random(seed)
    sites = [
        Site("China Topix", "topix", discovery=("sitemap",)),
        Site("The Daily Ledger", "ledger", discovery=("feed",)),
        Site("Metro Wire", "wire", discovery=("news-sitemap",)),
    ]
    origin: dict[tuple[str, str], str] = {}
    for i, story in enumerate(stories):
        home = sites[i % 3]
        home.stories.append(story)
        origin[(home.name, story.slug)] = story.slug
        if rng.random() < reposts:
            other = sites[(i + rng.choice([1, 2])) % 3]
            copy = edited(story, slug=story.slug + "-repost", **rng.choice(EDITS))
            other.stories.append(copy)
            origin[(other.name, copy.slug)] = story.slug
    return sites, origin


def token_f1(predicted: str, true: str) -> float:
    p, t = Counter(WORDS.findall(predicted)), Counter(WORDS.findall(true))
    common = sum((p & t).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def pair_scores(predicted: list[set[str]], truth: dict[str, str]) -> tuple[float, float, float]:
    """Precision, recall, F1 over pairs of pages said to carry the same story."""
    said = {frozenset(p) for group in predicted for p in combinations(sorted(group), 2)}
    by_story: dict[str, list[str]] = {}
    for url, story in truth.items():
        by_story.setdefault(story, []).append(url)
    real = {frozenset(p) for urls in by_story.values() for p in combinations(sorted(urls), 2)}
    tp = len(said & real)
    precision = tp / len(said) if said else 1.0
    recall = tp / len(real) if real else 1.0
    return precision, recall, (2 * precision * recall / (precision + recall) if tp else 0.0)


def has_furniture(text: str, site: Site) -> bool:
    lines = set(text.split("\n"))
    return any(f in lines or (f.startswith("(") and f in text) for f in site.furniture)


def run_ours(web: NewsWeb, db: Path) -> tuple[float, int]:
    cmd = [
        str(Path(sys.executable).parent / "newsarchive"),
        "crawl",
        *[web.url(n) for n in web.sites],
        "--db",
        str(db),
        "-s",
        "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    ]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"crawl failed:\n{result.stderr}")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "extraction-dev")
    parser.add_argument("--reposts", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    sites, origin = build_web(load_stories(args.data), args.reposts, args.seed)
    with NewsWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
        by_site = {site.base_url.removeprefix("http://"): site for site in sites}
        pages = {site.article_url(s): (site, s) for site in sites for s in site.stories}
        truth = {url: origin[(site.name, s.slug)] for url, (site, s) in pages.items()}
        elapsed, ours_rss = run_ours(web, Path(tmp) / "bench.db")
        with Archive(str(Path(tmp) / "bench.db")) as archive:
            archived = list(archive.iter_stories())
        rendered = {site.name: site.render() for site in sites}

    # ours
    clusters = [{s["url"], *(d["url"] for d in s["duplicates"])} for s in archived]
    found = {url for c in clusters for url in c}
    ours_pairs = pair_scores(clusters, {u: truth[u] for u in found if u in truth})
    ours_recall_pages = len(found & truth.keys()) / len(truth)
    ours_furniture = sum(has_furniture(s["text"], by_site[s["site"]]) for s in archived) / len(archived)
    ours_f1 = sum(
        token_f1(s["text"], "\n".join(pages[s["url"]][1].paragraphs)) for s in archived if s["url"] in pages
    ) / len(archived)

    # our extraction + learned boilerplate, in-process, for docs/s against plain trafilatura
    htmls = [(url, rendered[site.name][site.article_path(s)][2].decode("utf-8")) for url, (site, s) in pages.items()]
    start = time.perf_counter()
    for url, html in htmls:
        article = extract_page(html, url).article
        furniture.clean(article.lines if article else [], set())
    ours_extract_rate = len(htmls) / (time.perf_counter() - start)

    # references: plain trafilatura text, plain datasketch dedup on it
    start = time.perf_counter()
    plain = {url: trafilatura.extract(html) or "" for url, html in htmls}
    plain_rate = len(htmls) / (time.perf_counter() - start)
    plain_furniture = sum(has_furniture(t, pages[u][0]) for u, t in plain.items()) / len(plain)
    plain_f1 = sum(token_f1(t, "\n".join(pages[u][1].paragraphs)) for u, t in plain.items()) / len(plain)
    lsh, groups, group_of = MinHashLSH(num_perm=128), [], {}
    start = time.perf_counter()
    for url, text in plain.items():
        words = WORDS.findall(text.casefold())
        m = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            m.update(" ".join(words[i : i + 5]).encode())
        hits = lsh.query(m)
        if hits:
            groups[group_of[hits[0]]].add(url)
            group_of[url] = group_of[hits[0]]
        else:
            group_of[url] = len(groups)
            groups.append({url})
        lsh.insert(url, m)
    datasketch_rate = len(plain) / (time.perf_counter() - start)
    plain_pairs = pair_scores(groups, truth)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

    stories_true = len(set(truth.values()))
    print(
        f"news web: {len(sites)} sites, {len(truth)} article pages, {stories_true} stories, "
        f"{len(truth) - stories_true} reposts (seed {args.seed})\n"
    )
    print(f"{'':34}{'ours (newsarchive crawl)':>26}{'plain trafilatura + datasketch':>34}")
    print(
        f"{'stories archived / true':34}{f'{len(archived)} / {stories_true}':>26}{f'{len(groups)} / {stories_true}':>34}"
    )
    print(f"{'article pages found':34}{ours_recall_pages:>26.3f}{'(given all)':>34}")
    for name, i in (("duplicate pairs precision", 0), ("duplicate pairs recall", 1), ("duplicate pairs F1", 2)):
        print(f"{name:34}{ours_pairs[i]:>26.3f}{plain_pairs[i]:>34.3f}")
    print(f"{'texts with furniture lines':34}{ours_furniture:>26.3f}{plain_furniture:>34.3f}")
    print(f"{'token F1 vs true text':34}{ours_f1:>26.4f}{plain_f1:>34.4f}")
    print(f"{'extraction docs/s (1 core)':34}{ours_extract_rate:>26.1f}{plain_rate:>34.1f}")
    print(f"{'dedup docs/s':34}{'(in crawl)':>26}{datasketch_rate:>34.1f}")
    print(f"{'crawl end to end':34}{f'{elapsed:.1f} s, {len(truth) / elapsed:.1f} articles/s':>26}{'-':>34}")
    print(f"{'peak memory (RSS)':34}{f'{ours_rss} MB':>26}{f'{self_rss} MB (this process)':>34}")


if __name__ == "__main__":
    main()
