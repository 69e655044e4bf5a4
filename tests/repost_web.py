"""The hard sites of syndication: wire stories reposted with every local edit, and look-alikes that are not copies.

Two wire sites publish the originals (the real texts of ``tests/data``); three
local sites repost them, each in its own wording, every edit style of
:mod:`repost_edits` on at least two of them, some copies crediting
the wire and dated the same day. The local sites also publish stories of their
own (``tests/data/syndication.json``) that are traps: one quoting two or three
paragraphs of a wire story, daily briefings of four wire ledes, and pairs
sharing one background paragraph or press-release footer. ``story`` is the
truth: which story every page carries; ``style`` and ``trap`` say what each page is.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from crawler.demo.newsweb import Site, Story
from fixture_web import DATA, load_articles, load_seed
from repost_edits import (
    EDIT_STYLES,
    WORDINGS,
    quoting,
    repost,
    roundup,
    shared_paragraph,
    with_paragraph,
)

WIRES = (("Metro Wire", "wire", "LAKESHORE"), ("Harbor Press Agency", "topix", "PORT ELLIS"))
LOCALS = (("Riverside Courier", "ledger"), ("Valley Post", "topix"), ("Northfield Gazette", "wire"))
#: Real texts that are themselves another outlet's copy ("(Reuters) -", "originally published on Live Science"):
#: no copy of them credits our wire on the same day, as nothing could tell which of the two came first.
THIRD_PARTY = ("saturn-s-moon-titan", "feather-duvet-lung", "tories-under-fire")


def load_own_stories() -> list[Story]:
    """Return the stories of their own: real bodies with an invented headline, author and date."""
    items = json.loads((DATA / "syndication.json").read_text("utf-8"))
    return [
        Story(
            slug=f"local-{i}",
            title=" ".join(item["body"][0].split()[:9]),
            author="Sam Reyes",
            published=f"2019-12-{1 + i:02d}",
            section="local",
            body=tuple(item["body"]),
        )
        for i, item in enumerate(items)
    ]


@dataclass
class RepostWeb:
    sites: list[Site]
    #: article URL path key (site name, slug) -> the story the page carries
    story: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (site name, slug) -> the edit style of a repost
    style: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (site name, slug) -> the kind of trap a story of its own is
    trap: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (site name, slug) of every original
    originals: set[tuple[str, str]] = field(default_factory=set)

    def by_url(self, mapping: dict[tuple[str, str], str]) -> dict[str, str]:
        """Return ``mapping`` keyed by article URL."""
        return {
            site.article_url(s): mapping[(site.name, s.slug)]
            for site in self.sites
            for s in site.stories
            if (site.name, s.slug) in mapping
        }

    def check(self, records: list[dict]) -> tuple[Counter[str], Counter[str]]:
        """Return the reposts linked to their story by edit style, and the trap pages merged with another story by kind."""
        truth, style, trap = self.by_url(self.story), self.by_url(self.style), self.by_url(self.trap)
        linked: Counter[str] = Counter()
        merged: Counter[str] = Counter()
        for record in records:
            urls = [record["url"]] + [d["url"] for d in record["duplicates"]]
            stories = Counter(truth[u] for u in urls)
            for url in urls:
                if url in style and stories[truth[url]] > 1:
                    linked[style[url]] += 1
                if url in trap and len(stories) > 1:
                    merged[trap[url]] += 1
        return linked, merged


def build_repost_web(seed: int = 12) -> RepostWeb:
    rng = random.Random(seed)
    originals = [load_seed(), *load_articles().values()]
    own = load_own_stories()
    context = [p for story in own[12:14] for p in story.body if 25 <= len(p.split()) <= 80]
    web = RepostWeb([])
    wires = [Site(name, theme, [], discovery=("news-sitemap",)) for name, theme, _ in WIRES]
    locals_ = [Site(name, theme, [], discovery=("sitemap",)) for name, theme in LOCALS]
    web.sites = wires + locals_

    def publish(site: Site, story: Story, carries: str) -> None:
        site.stories.append(story)
        web.story[(site.name, story.slug)] = carries

    for i, story in enumerate(originals):
        wire = wires[i % 2]
        publish(wire, story, story.slug)
        web.originals.add((wire.name, story.slug))
    # every edit style on two or three local sites, each copy of a different original
    styles = list(EDIT_STYLES)
    n = 0
    for style in styles:
        for k in range(2 if style != "all at once" else 3):
            source = originals[n % len(originals)]
            wire_index = (n % len(originals)) % 2
            local_index = (n + k) % len(locals_)
            local = locals_[local_index]
            wording = WORDINGS[local_index]
            tie = n % 3 == 0 and not any(t in source.slug for t in THIRD_PARTY)
            credit = (WIRES[wire_index][0], WIRES[wire_index][2]) if tie else None
            other = (local_index + 1) % 3  # the local site whose furniture a copy may carry, in its wording
            copy = repost(
                source,
                style,
                rng,
                wording,
                slug=f"{source.slug[:40]}-{n}",
                context=context,
                credit=credit,
                furniture=(WORDINGS[other], LOCALS[other][0].split()[-1]),
            )
            if not tie:  # a repost without a credit runs a day after the wire
                copy = dataclasses.replace(copy, published=_next_day(source.published))
            publish(local, copy, source.slug)
            web.style[(local.name, copy.slug)] = style
            n += 1
    # traps, stories of their own on the local sites
    free = list(own[:12])
    for j in range(3):  # a story quoting two or three paragraphs of a wire story
        found = next(q for q in (quoting(free[0], source, rng, slug=f"quoting-{j}") for source in originals) if q)
        free.pop(0)
        site = locals_[j % 3]
        publish(site, found, f"trap-quote-{j}")
        web.trap[(site.name, found.slug)] = "quotes 2-3 paragraphs"
    for j in range(3):  # a briefing of four wire ledes
        site = locals_[j % 3]
        brief = roundup(
            rng.sample(originals, 4),
            rng,
            WORDINGS[j % 3],
            slug=f"briefing-{j}",
            outlet=site.name,
            published="2019-11-30",
            author="Newsroom",
        )
        publish(site, brief, f"trap-briefing-{j}")
        web.trap[(site.name, brief.slug)] = "roundup of four ledes"
    for j, footer in enumerate((False, True, False, True)):  # two stories sharing one paragraph
        paragraph = shared_paragraph(own[14 + j % 2].body, rng, WORDINGS[j % 3], footer=footer)
        kind = "shared press-release footer" if footer else "shared background paragraph"
        for k in range(2):
            story, site = free.pop(0), locals_[(j + k) % 3]
            story = with_paragraph(story, paragraph, footer=footer, slug=f"shared-{j}-{k}")
            publish(site, story, f"trap-shared-{j}-{k}")
            web.trap[(site.name, story.slug)] = kind
    return web


def _next_day(day: str) -> str:
    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()
