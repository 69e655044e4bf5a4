"""Repost quality by edit style and look-alike merges by trap kind, on the real extraction-dev texts.

Originals are the extraction-dev articles of 250+ words, published by two wire
sites. Three local sites, each with its own wording, repost every original in
two edit styles of :mod:`repost_edits` (local context first, first
40-60 % only, merged paragraphs, contributor line, correction note, quotes
flipped, no-break spaces, another site's furniture, and all of the first,
second, a note and flipped quotes at once); a third of the copies credit the
wire and run the same day, the others run a day later. Held-out articles (never
published) give the local context paragraphs and become the traps: a story
quoting two or three paragraphs of an original, a briefing of four originals'
headlines and ledes, and two stories sharing one 80-100-word background
paragraph or "About …" footer.

All pages, shuffled, go to ours (the real dedup and store pipelines over an
SQLite archive, default settings) and to plain datasketch (``MinHash.update``
per shingle, ``MinHashLSH`` at its default threshold and at 0.5, a page joining
the story of its first LSH hit). Prints, for each: pair precision and recall
overall; recall of the repost-original pairs by edit style; look-alike pages
merged with another story, by trap kind; and for ours how often the canonical
copy is the original.

    python bench/repost_quality.py [--seed 1] [--runs 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import random
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the repost edits (tests/repost_edits.py)

from dedup_quality import DATA, Page, run_datasketch, run_ours, scores

from crawler.demo.newsweb import Story
from repost_edits import (
    EDIT_STYLES,
    WORDINGS,
    quoting,
    repost,
    roundup,
    shared_paragraph,
    with_paragraph,
    words,
)

WIRES = (("metrowire.example", "Metro Wire", "LAKESHORE"), ("harborpress.example", "Harbor Press", "PORT ELLIS"))
LOCALS = ("courier.example", "valleypost.example", "gazette.example")


@dataclasses.dataclass
class Labelled:
    pages: list[Page]
    style: dict[str, str]  # repost URL -> edit style
    trap: dict[str, str]  # look-alike URL -> trap kind
    original: dict[str, str]  # story label -> URL of its original


def texts() -> list[Story]:
    """Return the extraction-dev articles: true body, the page's own headline (its <title>)."""
    truth = json.loads((DATA / "ground-truth.json").read_text("utf-8"))
    out = []
    for i, (key, item) in enumerate(sorted(truth.items())):
        body = tuple(ln.strip() for ln in item["articleBody"].split("\n") if ln.strip())
        html = gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        title = lxml.html.fromstring(html).findtext(".//title") or f"Report {i}"
        if len(body) >= 3:
            out.append(Story(f"t{i}", " ".join(title.split()), "Staff", "2019-11-01", "news", body))
    return out


def build(seed: int) -> Labelled:
    rng = random.Random(seed)
    stories = texts()
    rng.shuffle(stories)
    long = [s for s in stories if words(s.body) >= 250]
    held, originals = long[:24], long[24:]
    # held-out articles, each used once: local context, quoting stories, stories sharing a paragraph
    context = [p for s in held[:4] for p in s.body if 25 <= len(p.split()) <= 80]
    quoters, sharers = held[4:12], held[12:24]
    pages: list[Page] = []
    lab = Labelled(pages, {}, {}, {})

    def add(url: str, label: str, story: Story) -> None:
        pages.append(Page(url, label, story.published, tuple(story.paragraphs)))

    day = date(2019, 11, 1)
    for i, story in enumerate(originals):
        host, outlet, city = WIRES[i % 2]
        published = (day + timedelta(days=i % 20)).isoformat()
        story = dataclasses.replace(story, published=published)
        url = f"http://{host}/story/{story.slug}"
        add(url, story.slug, story)
        lab.original[story.slug] = url
        for k, style in enumerate(rng.sample(list(EDIT_STYLES), 2)):
            local = rng.randrange(3)
            tie = rng.random() < 1 / 3
            other = (local + 1) % 3  # the site whose furniture a copy may carry
            copy = repost(
                story,
                style,
                rng,
                WORDINGS[local],
                slug=f"{story.slug}-{k}",
                context=context,
                credit=(outlet, city) if tie else None,
                furniture=(WORDINGS[other], LOCALS[other].split(".")[0].title()),
            )
            if not tie:
                copy = dataclasses.replace(copy, published=(day + timedelta(days=i % 20 + 1)).isoformat())
            url = f"http://{LOCALS[local]}/{copy.slug}"
            add(url, story.slug, copy)
            lab.style[url] = style
    for j, quoter in enumerate(quoters):  # quoting stories
        host = LOCALS[j % 3]
        for _ in range(50):
            found = quoting(quoter, rng.choice(originals), rng, slug=f"quote{j}")
            if found:
                break
        else:
            continue  # too short to quote 2-3 paragraphs as a third of it
        add(f"http://{host}/quote{j}", f"quote{j}", found)
        lab.trap[f"http://{host}/quote{j}"] = "quotes 2-3 paragraphs"
    for j in range(8):  # briefings
        host = LOCALS[j % 3]
        brief = roundup(
            rng.sample(originals, 4),
            rng,
            WORDINGS[j % 3],
            slug=f"brief{j}",
            outlet=host,
            published="2019-11-28",
            author="Desk",
        )
        add(f"http://{host}/brief{j}", f"brief{j}", brief)
        lab.trap[f"http://{host}/brief{j}"] = "roundup of four ledes"
    for j in range(6):  # pairs sharing one paragraph, its sentences from a context article
        footer = j % 2 == 1
        paragraph = shared_paragraph(held[j % 4].body, rng, WORDINGS[j % 3], footer=footer)
        kind = "shared press-release footer" if footer else "shared background paragraph"
        for k in range(2):
            story = with_paragraph(sharers[2 * j + k], paragraph, footer=footer, slug=f"shared{j}{k}")
            url = f"http://{LOCALS[(j + k) % 3]}/shared{j}-{k}"
            add(url, f"shared{j}{k}", story)
            lab.trap[url] = kind
    rng.shuffle(pages)
    return lab


def report(name: str, clusters: list[set[str]], lab: Labelled) -> None:
    precision, recall, _ = scores(clusters, lab.pages)
    cluster_of = {url: i for i, c in enumerate(clusters) for url in c}
    label = {p.url: p.story for p in lab.pages}
    print(f"  {name}: pair precision {precision:.4f}, recall {recall:.4f}")
    by_style, linked = Counter(lab.style.values()), Counter()
    for url, style in lab.style.items():
        linked[style] += cluster_of[url] == cluster_of[lab.original[label[url]]]
    print("    repost linked to its original, by edit style:")
    for style, n in sorted(by_style.items()):
        print(f"      {style:<26} {linked[style]:>3} / {n:<3} recall {linked[style] / n:.3f}")
    merged = Counter()
    for url, kind in lab.trap.items():
        merged[kind] += len(clusters[cluster_of[url]]) > 1
    print("    look-alikes merged with another story, by trap kind:")
    for kind, n in sorted(Counter(lab.trap.values()).items()):
        print(f"      {kind:<30} {merged[kind]:>3} of {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="seeds seed, seed+1, ... each a new labelled set")
    args = parser.parse_args()
    for seed in range(args.seed, args.seed + args.runs):
        lab = build(seed)
        print(
            f"seed {seed}: {len(lab.pages)} pages: {len(lab.original)} originals, {len(lab.style)} reposts, "
            f"{len(lab.trap)} look-alikes"
        )
        clusters, seconds, canonical = run_ours(lab.pages, {})
        report(f"ours ({len(lab.pages) / seconds:.0f} pages/s)", clusters, lab)
        reposted = [c for c in clusters if len(c) > 1 and c & set(lab.original.values())]
        right = sum(1 for c in reposted if c & canonical & set(lab.original.values()))
        print(f"    canonical copy is the original in {right} of {len(reposted)} clusters holding one")
        for threshold in (0.9, 0.5):
            reference, seconds = run_datasketch(lab.pages, 5, threshold)
            report(
                f"datasketch MinHashLSH threshold {threshold} ({len(lab.pages) / seconds:.0f} pages/s)", reference, lab
            )


if __name__ == "__main__":
    sys.exit(main())
