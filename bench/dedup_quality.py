"""Dedup quality: a labelled repost set built from the real extraction-dev texts.

Every article of 100+ words is an original story. Reposts of it carry two to
four seeded, realistic edits (see bench/README.md): a new headline line, a
dateline, an editor's note, a trimmed ending, reworded sentences, another
site's furniture. Hard negatives are stories of their own: follow-ups that
reuse an original's background paragraphs over a new body, and stories quoting
a long passage of an original. All pages are fed, shuffled, to ours (the real
dedup and store pipelines over an SQLite archive, settings as in
crawler/settings.py) and to plain datasketch (``MinHash.update`` per shingle,
``MinHashLSH`` at its default threshold, a page joining the story of its first
LSH hit). Prints pair precision, recall and F1 of each, and how often our
canonical copy is the original (the earliest published).

    python bench/dedup_quality.py [--seed 1] [--reposts 4] [--grid] [-s DEDUP_NAME=VALUE ...]

``--grid`` also scores a grid of threshold settings (how the defaults were chosen).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from scrapy.utils.test import get_crawler

from crawler.config import dedup_config
from crawler.dedup.minhash import text_signals
from crawler.dedup.shingles import shingle_strings
from crawler.extensions.archive import ArchiveOwner, archive_owner
from crawler.extract.article import Article
from crawler.extract.furniture import countable_lines
from crawler.extract.metadata import PageMetadata
from crawler.items import ArticleItem
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.store import StorePipeline
from storage import Archive
from storage.schema import sightings

ROOT = Path(__file__).resolve().parent.parent
DATA = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.exists()), ROOT.parent / "shared")
DATA = DATA / "data" / "extraction-dev"
WORDS = re.compile(r"\w+")
SENTENCE = re.compile(r"(?<=[.!?])\s+")

HEADLINES = ["UPDATE: {}", "{} — what we know", "Breaking: {}", "{} (VIDEO)", "Analysis: {}", "{}, officials say"]
DATELINES = [
    "WASHINGTON (AP) —",
    "LONDON (Reuters) —",
    "NEW DELHI, Nov 19 (IANS) —",
    "PARIS (AFP) —",
    "SAN FRANCISCO —",
    "HONG KONG (Bloomberg) —",
    "(CNN) —",
    "TORONTO —",
]
NOTES = [
    "Editor's note: This story has been updated to correct the spelling of a name.",
    "Editor's note: This article was originally published by our partner site and is republished with permission.",
    "This story first appeared in The Conversation. Read the original article.",
    "Correction: An earlier version of this story misstated the date of the announcement.",
    "This article has been updated with additional reporting.",
]
FURNITURE = [
    "Advertisement",
    "Sign up for our daily newsletter to get the latest headlines in your inbox.",
    "Share this article on Facebook",
    "Follow us on Twitter and Instagram",
    "Related: More stories from our world desk",
    "© 2019 Metro Media Group. All rights reserved.",
    "Click here to read more",
    "Continue reading below",
    "Subscribe now for unlimited access",
]
SYNONYMS = {
    "said": "told reporters",
    "says": "stated",
    "also": "additionally",
    "but": "however,",
    "big": "large",
    "new": "fresh",
    "people": "residents",
    "company": "firm",
    "percent": "%",
    "about": "around",
    "after": "following",
    "before": "ahead of",
    "show": "reveal",
    "help": "assist",
    "large": "big",
    "many": "numerous",
    "more": "further",
    "government": "administration",
    "get": "obtain",
    "use": "employ",
}


@dataclass(frozen=True)
class Page:
    url: str
    story: str  # the label: which story the page carries
    published: str
    lines: tuple[str, ...]


def originals(data: Path) -> list[list[str]]:
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    bodies = [[ln.strip() for ln in item["articleBody"].split("\n") if ln.strip()] for _, item in sorted(truth.items())]
    return [b for b in bodies if len(WORDS.findall(" ".join(b))) >= 100]


def words(lines: list[str]) -> int:
    return len(WORDS.findall(" ".join(lines)))


# -- edits, each a realistic change another site makes to a story ------------


def headline(lines: list[str], rng: random.Random) -> list[str]:
    first = " ".join(lines[0].split()[:8])
    return [rng.choice(HEADLINES).format(first)] + lines


def dateline(lines: list[str], rng: random.Random) -> list[str]:
    return [f"{rng.choice(DATELINES)} {lines[0]}"] + lines[1:]


def note(lines: list[str], rng: random.Random) -> list[str]:
    return [rng.choice(NOTES)] + lines if rng.random() < 0.5 else lines + [rng.choice(NOTES)]


def trim(lines: list[str], rng: random.Random) -> list[str]:
    """Cut the ending: keep the paragraphs holding the first 40-85% of the words."""
    budget, kept = rng.uniform(0.4, 0.85) * words(lines), []
    for line in lines:
        if words(kept) >= budget:
            break
        kept.append(line)
    return kept


def reword(lines: list[str], rng: random.Random) -> list[str]:
    """Reword about one sentence in four: swap a synonym or drop a word, three times."""
    out = []
    for line in lines:
        sentences = SENTENCE.split(line)
        for i, sentence in enumerate(sentences):
            tokens = sentence.split()
            if len(tokens) < 6 or rng.random() > 0.25:
                continue
            for _ in range(3):
                j = rng.randrange(len(tokens))
                tokens[j] = SYNONYMS.get(tokens[j].lower(), "" if rng.random() < 0.5 else tokens[j])
            sentences[i] = " ".join(t for t in tokens if t)
        out.append(" ".join(sentences))
    return out


def new_lede(lines: list[str], rng: random.Random) -> list[str]:
    """Rewrite the lede: its first sentence dropped, the rest reworded, as a desk rewriting a wire story."""
    first = SENTENCE.split(lines[0])
    lede = reword([" ".join(first[1:]) or lines[0]], rng)
    return lede + lines[1:]


def furniture(lines: list[str], rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randint(2, 5)):
        lines.insert(rng.choice([0, len(lines), rng.randrange(len(lines) + 1)]), rng.choice(FURNITURE))
    return lines


EDITS = [headline, dateline, note, new_lede, trim, reword, furniture]


def repost(lines: list[str], rng: random.Random) -> list[str]:
    for edit in sorted(rng.sample(EDITS, rng.randint(2, 4)), key=EDITS.index):
        lines = edit(lines, rng)
    return lines


def passage(lines: list[str], rng: random.Random, share: float) -> list[str]:
    """Return consecutive sentences of ``lines`` holding about ``share`` of its words."""
    sentences = [s for line in lines for s in SENTENCE.split(line)]
    start = rng.randrange(max(1, len(sentences) // 2))
    out: list[str] = []
    for sentence in sentences[start:]:
        if words(out) >= share * words(lines):
            break
        out.append(sentence)
    return out


def build(seed: int, reposts: int) -> list[Page]:
    """Return the labelled pages: originals, their reposts, follow-ups and quoting stories, shuffled."""
    rng = random.Random(seed)
    bodies = originals(DATA)
    rng.shuffle(bodies)
    quoters, followups, bodies = bodies[:8], bodies[8:16], bodies[16:]
    pages = []
    for i, body in enumerate(bodies):
        pages.append(Page(f"http://origin{i % 7}.example/story/{i}", f"s{i}", f"2019-11-{1 + i % 20:02d}", tuple(body)))
        for k in range(rng.randint(1, reposts)):
            pages.append(
                Page(
                    f"http://copy{k}-{i % 5}.example/{i}/{k}",
                    f"s{i}",
                    f"2019-11-{2 + i % 20 + k:02d}",
                    tuple(repost(body, rng)),
                )
            )
    for j, own in enumerate(followups):  # a follow-up: an original's background paragraphs, then a new story
        source = bodies[rng.randrange(len(bodies))]
        background = passage(source, rng, rng.uniform(0.2, 0.4))
        pages.append(Page(f"http://followup.example/{j}", f"f{j}", "2019-11-25", tuple(own[:1] + background + own[1:])))
    for j, own in enumerate(quoters):  # a long quote of an original inside another story
        source = bodies[rng.randrange(len(bodies))]
        quote = ['"' + " ".join(passage(source, rng, rng.uniform(0.3, 0.5))) + '"']
        pages.append(Page(f"http://quoting.example/{j}", f"q{j}", "2019-11-26", tuple(own[:2] + quote + own[2:])))
    rng.shuffle(pages)
    return pages


# -- the two systems -----------------------------------------------------


def run_ours(pages: list[Page], overrides: dict[str, str]) -> tuple[list[set[str]], float, set[str]]:
    """Feed every page to our dedup and store pipelines; return the clusters, seconds, canonical copies' URLs."""
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "archive.db")
        crawler = get_crawler(settings_dict={"NEWSARCHIVE_DB": db, "EXTENSIONS": {ArchiveOwner: 0}, **overrides})
        crawler.stats.open_spider()
        config = dedup_config(crawler.settings)
        stages = [DedupPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)]
        for stage in stages:
            stage.open_spider()
        start = time.perf_counter()
        for page in pages:
            meta = PageMetadata(published=page.published, language="en", page_type="article")
            article = Article(page.url, page.lines, meta)
            text = "\n".join(page.lines)
            item = ArticleItem(
                url=page.url,
                site=page.url.split("/")[2],
                article=article,
                text=text,
                signals=text_signals(text, config),  # as the extraction workers compute them
                countable=countable_lines(page.lines, 40, article.dropped),
            )
            for stage in stages:
                item = stage.process_item(item)
        elapsed = time.perf_counter() - start
        stages[-1].close_spider()  # the store re-cleans
        archive_owner(crawler).archive.close()
        clusters: dict[int, set[str]] = defaultdict(set)
        canonical = set()
        with Archive(db) as archive, archive.engine.connect() as conn:
            for row in conn.execute(sightings.select()):
                clusters[row.story_id].add(row.url)
                if row.match == "original":
                    canonical.add(row.url)
    return list(clusters.values()), elapsed, canonical


def earliest_canonical(clusters: list[set[str]], canonical: set[str], pages: list[Page]) -> int:
    """Return how many clusters of several pages have the earliest published copy of their story as canonical."""
    by_url = {p.url: p for p in pages}
    first = {}
    for page in pages:  # the true original: the earliest published copy of each story
        if page.story not in first or page.published < by_url[first[page.story]].published:
            first[page.story] = page.url
    return sum(1 for group in clusters if len(group) > 1 and group & canonical & set(first.values()))


def run_datasketch(pages: list[Page], shingle_size: int, threshold: float = 0.9) -> tuple[list[set[str]], float]:
    """Plain datasketch: per-shingle MinHash, MinHashLSH at ``threshold`` (its default 0.9); a hit joins its story."""
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    story_of: dict[str, str] = {}
    for page in pages:
        minhash = MinHash(num_perm=128)
        for shingle in set(shingle_strings("\n".join(page.lines), shingle_size)):
            minhash.update(shingle.encode("utf-8"))
        hits = lsh.query(minhash)
        story_of[page.url] = story_of[hits[0]] if hits else page.url
        lsh.insert(page.url, minhash)
    groups: dict[str, set[str]] = defaultdict(set)
    for url, story in story_of.items():
        groups[story].add(url)
    return list(groups.values()), time.perf_counter() - start


def scores(predicted: list[set[str]], pages: list[Page]) -> tuple[float, float, float]:
    """Pair precision, recall and F1 of ``predicted`` clusters against the labels."""
    said = {frozenset(p) for group in predicted for p in combinations(sorted(group), 2)}
    by_story: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        by_story[page.story].append(page.url)
    real = {frozenset(p) for urls in by_story.values() for p in combinations(sorted(urls), 2)}
    tp = len(said & real)
    precision = tp / len(said) if said else 1.0
    recall = tp / len(real) if real else 1.0
    return precision, recall, (2 * precision * recall / (precision + recall) if tp else 0.0)


def line(name: str, result: tuple[float, float, float], seconds: float, n: int) -> str:
    p, r, f = result
    return f"  {name:<44} precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  {n / seconds:7.0f} pages/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reposts", type=int, default=4, help="at most this many reposts of each original")
    parser.add_argument("--grid", action="store_true", help="also score a grid of threshold settings")
    parser.add_argument("-s", dest="overrides", action="append", default=[], metavar="DEDUP_NAME=VALUE")
    args = parser.parse_args()
    overrides = dict(o.split("=", 1) for o in args.overrides)
    pages = build(args.seed, args.reposts)
    kinds = Counter(p.story[0] for p in pages)
    stories = len({p.story for p in pages})
    print(
        f"seed {args.seed}: {len(pages)} pages, {stories} stories ({kinds['s']} originals and reposts, "
        f"{kinds['f']} follow-ups, {kinds['q']} quoting stories), "
        f"{sum(1 for _ in scores_pairs(pages))} true pairs"
    )
    clusters, seconds, canonical = run_ours(pages, overrides)
    print(
        line("ours (settings" + (f" {overrides})" if overrides else ")"), scores(clusters, pages), seconds, len(pages))
    )
    multi = sum(1 for c in clusters if len(c) > 1)
    print(
        f"    canonical copy is the earliest published in {earliest_canonical(clusters, canonical, pages)} of {multi} clusters"
    )
    reference, seconds = run_datasketch(pages, 5)
    print(line("datasketch MinHashLSH (default threshold 0.9)", scores(reference, pages), seconds, len(pages)))
    if args.grid:
        for lsh in ("0.3", "0.4", "0.5"):
            for jaccard in ("0.3", "0.4", "0.5"):
                for containment in ("0.6", "0.7", "0.8"):
                    settings = {
                        "DEDUP_LSH_THRESHOLD": lsh,
                        "DEDUP_JACCARD_THRESHOLD": jaccard,
                        "DEDUP_CONTAINMENT_THRESHOLD": containment,
                    }
                    clusters, seconds, _ = run_ours(pages, settings)
                    print(
                        line(
                            f"lsh {lsh} jaccard {jaccard} containment {containment}",
                            scores(clusters, pages),
                            seconds,
                            len(pages),
                        ),
                        flush=True,
                    )
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def scores_pairs(pages: list[Page]):
    by_story: dict[str, int] = Counter(p.story for p in pages)
    for n in by_story.values():
        yield from range(n * (n - 1) // 2)


if __name__ == "__main__":
    sys.exit(main())
