"""Reposts: every syndicated copy is linked to its original, no look-alike is, and the original is canonical.

Pages go through the real dedup and store pipelines into an archive on SQLite
and on PostgreSQL; texts are the repost web's (real articles, each edit style
and trap of :mod:`repost_edits`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from scrapy.utils.test import get_crawler

from crawler.dedup.compare import DedupConfig, similarity
from crawler.dedup.minhash import ANCHOR_BAND, band_keys, fingerprint, signature, text_signals
from crawler.dedup.shingles import shingles
from crawler.demo.newsweb import Story
from crawler.extensions.archive import ArchiveOwner, archive_owner
from crawler.extract.article import Article
from crawler.extract.furniture import countable_lines
from crawler.extract.metadata import PageMetadata
from crawler.items import ArticleItem
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.store import StorePipeline
from fixture_web import load_seed
from repost_edits import WORDINGS, all_at_once, repost, roundup
from repost_web import WIRES, RepostWeb, build_repost_web, load_own_stories
from storage import Archive, NewStory
from storage.schema import lsh_buckets, meta, sightings, stories
from unit_crawler import through

CONFIG = DedupConfig()
#: The seed article: a wire story that credits no other outlet.
SEED = load_seed().slug


@pytest.fixture(scope="module")
def web() -> RepostWeb:
    return build_repost_web()


class Pipelines:
    """The dedup and store pipelines of one crawl into archive ``db``."""

    def __init__(self, db: str) -> None:
        # each article its own transaction, written at once: the tests read the archive after each
        settings = {"NEWSARCHIVE_DB": db, "EXTENSIONS": {ArchiveOwner: 0}, "ARCHIVE_BATCH_SIZE": 1}
        crawler = get_crawler(settings_dict=settings)
        crawler.stats.open_spider()
        self.crawler = crawler
        self.stages = [DedupPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)]
        for stage in self.stages:
            stage.open_spider()

    def feed(self, url: str, story: Story, sitename: str) -> ArticleItem:
        meta = PageMetadata(
            title=story.title, published=story.published, language="en", sitename=sitename, page_type="article"
        )
        lines, text = tuple(story.paragraphs), "\n".join(story.paragraphs)
        article = Article(url, lines, meta)
        item = ArticleItem(
            url=url,
            site=url.split("/")[2],
            article=article,
            text=text,
            signals=text_signals(text, CONFIG),
            countable=countable_lines(lines, 40, article.dropped),
        )
        return asyncio.run(through(self.stages, item))

    def close(self) -> None:
        if not self.stages:
            return
        self.stages[-1].close_spider()  # the store re-cleans
        self.stages = []
        archive_owner(self.crawler).archive.close()


@pytest.fixture
def pipelines(db: str) -> Iterator[Pipelines]:
    stages = Pipelines(db)
    yield stages
    stages.close()


def _pages(web: RepostWeb) -> list[tuple[str, str, Story]]:
    return [
        (f"http://{site.name.split()[0].lower()}.example/{s.slug}", site.name, s)
        for site in web.sites
        for s in site.stories
    ]


def _story_of(db: str) -> dict[str, int]:
    with Archive(db) as archive, archive.engine.connect() as conn:
        return {row.url: row.story_id for row in conn.execute(sa.select(sightings.c.url, sightings.c.story_id))}


def _original(web: RepostWeb, slug: str) -> tuple[str, Story]:
    for site in web.sites:
        for story in site.stories:
            if (site.name, story.slug) in web.originals and story.slug == slug:
                return site.name, story
    raise KeyError(slug)


def test_copies_keeping_sixty_percent_of_their_shingles_are_found_in_the_persistent_index(
    db: str, web: RepostWeb
) -> None:
    originals = [s for site in web.sites for s in site.stories if (site.name, s.slug) in web.originals]
    own = [p for s in load_own_stories()[12:14] for p in s.body if 25 <= len(p.split()) <= 80]
    with Archive(db) as archive:
        archive.ensure_index_params(CONFIG.index_params())
        ids = {}
        for original in originals:
            text = "\n".join(original.paragraphs)
            ids[original.slug] = archive.add_story(
                NewStory(
                    f"http://wire.example/{original.slug}",
                    "wire.example",
                    original.title,
                    None,
                    None,
                    "en",
                    None,
                    text,
                    text,
                    fingerprint(text),
                ),
                text_signals(text, CONFIG).stored[1],
                {},
            )
        found, low = [], []
        for seed in range(3):
            rng = random.Random(seed)
            for original in originals:
                copy = "\n".join(all_at_once(list(original.paragraphs), rng, WORDINGS[seed], own))
                sim = similarity(shingles(copy, CONFIG), shingles("\n".join(original.paragraphs), CONFIG))
                if sim.containment >= 0.55 and sim.jaccard < 0.4:  # the pairs a Jaccard-tuned LSH misses half the time
                    low.append(original.slug)
                    found.append(ids[original.slug] in archive.candidates(text_signals(copy, CONFIG).stored[1])[:20])
    assert len(low) >= 10 and all(found), (len(low), found.count(False))


def test_every_repost_is_linked_and_no_look_alike_is_merged(pipelines: Pipelines, db: str, web: RepostWeb) -> None:
    pages = _pages(web)
    random.Random(5).shuffle(pages)
    for url, site, story in pages:
        pipelines.feed(url, story, site)
    pipelines.close()
    found = _story_of(db)
    truth = {url: web.story[(site, s.slug)] for url, site, s in pages}
    for url, site, story in pages:
        mates = {u for u in truth if found[u] == found[url]}
        kind = web.style.get((site, story.slug)) or web.trap.get((site, story.slug)) or "original"
        assert mates == {u for u in truth if truth[u] == truth[url]}, (kind, url)


@pytest.mark.parametrize("order", ["credited copy first", "original first"])
def test_the_copy_crediting_no_other_outlet_is_canonical_when_dates_tie(
    pipelines: Pipelines, db: str, web: RepostWeb, order: str
) -> None:
    site, original = _original(web, SEED)
    credits = [
        "Editor's note: This story originally appeared in the Metro Wire.",
        f"LAKESHORE ({site}) — {original.paragraphs[0]}",
        "This article was first published by Metro Wire and is republished with permission.",
    ]
    pages = [("http://wire.example/original", site, original)]
    for i, line in enumerate(credits):
        body = (line, *original.body[1:]) if line.startswith("LAKESHORE") else (line, *original.body)
        pages.append((f"http://local{i}.example/copy", f"Local {i}", dataclasses.replace(original, body=body)))
    if order == "credited copy first":
        pages = pages[1:] + pages[:1]
    for url, name, story in pages:
        pipelines.feed(url, story, name)
    with Archive(db) as archive, archive.engine.connect() as conn:
        canonical = conn.execute(sa.select(stories.c.url, stories.c.credit)).all()
    assert [row.url for row in canonical] == ["http://wire.example/original"]
    assert canonical[0].credit is None


def test_a_dateline_naming_the_pages_own_outlet_is_no_credit(pipelines: Pipelines, db: str, web: RepostWeb) -> None:
    site, original = _original(web, SEED)
    own = dataclasses.replace(original, body=(f"LAKESHORE ({site}) — {original.paragraphs[0]}", *original.body[1:]))
    other = dataclasses.replace(
        original, body=("Editor's note: This story was first published by Metro Wire.", *original.body)
    )
    pipelines.feed("http://local.example/copy", other, "Valley Post")
    pipelines.feed("http://wire.example/original", own, site)
    with Archive(db) as archive, archive.engine.connect() as conn:
        assert conn.execute(sa.select(stories.c.url, stories.c.credit)).all() == [
            ("http://wire.example/original", None)
        ]


def test_an_earlier_published_copy_stays_canonical_whatever_it_credits(
    pipelines: Pipelines, db: str, web: RepostWeb
) -> None:
    site, original = _original(web, SEED)
    early = dataclasses.replace(
        original,
        published="2019-01-01",
        body=("Editor's note: This story originally appeared in the Metro Wire.", *original.body),
    )
    pipelines.feed("http://local.example/copy", early, "Valley Post")
    pipelines.feed("http://wire.example/original", original, site)
    with Archive(db) as archive, archive.engine.connect() as conn:
        assert conn.scalars(sa.select(stories.c.url)).all() == ["http://local.example/copy"]


def test_recleaning_recomputes_fingerprint_index_and_copies_so_a_later_exact_copy_is_exact(
    pipelines: Pipelines, db: str, web: RepostWeb
) -> None:
    site, original = _original(web, SEED)
    furniture = "Tap here to follow the Harbor Press on WhatsApp for every update."
    with_furniture = dataclasses.replace(original, body=(*original.body[:2], furniture, *original.body[2:]))
    first = pipelines.feed("http://wire.example/original", with_furniture, site)
    copy = dataclasses.replace(
        with_furniture, body=("Editor's note: first published by the Harbor Press.", *with_furniture.body[:-1])
    )
    pipelines.feed("http://wire.example/copy-on-same-site", copy, site)
    clean_text = "\n".join(original.paragraphs)
    with Archive(db) as archive:
        changed = archive.reclean(
            "wire.example",
            lambda raw, headings: raw.replace(furniture + "\n", ""),
            signals=lambda text: text_signals(text, CONFIG).stored,
        )
        assert changed == 2
        assert archive.story_by_fingerprint(fingerprint(clean_text)) is not None
        assert first.fingerprint != fingerprint(clean_text)
        with archive.engine.connect() as conn:
            keys = set(conn.execute(sa.select(lsh_buckets.c.band, lsh_buckets.c.bucket)).all())
            texts = conn.scalars(sa.select(sightings.c.text).where(sightings.c.text.is_not(None))).all()
        expected = set(text_signals(clean_text, CONFIG).stored[1]) | {
            k for t in texts for k in text_signals(t, CONFIG).stored[1]
        }
        assert keys == expected and texts and all(furniture not in t for t in texts)
    later = pipelines.feed("http://elsewhere.example/exact", original, "Elsewhere")
    assert later.match == "exact"


def test_an_index_built_before_anchors_is_rebuilt_with_them(db: str, web: RepostWeb) -> None:
    _site, original = _original(web, SEED)
    text = "\n".join(original.paragraphs)
    old = {k: v for k, v in CONFIG.index_params().items() if not k.startswith("anchor")}
    with Archive(db) as archive:
        archive.ensure_index_params(old)
        keys = band_keys(signature(shingles(text, CONFIG), CONFIG), CONFIG)
        archive.add_story(
            NewStory(
                "http://wire.example/a", "wire.example", None, None, None, None, None, text, text, fingerprint(text)
            ),
            keys,
            {},
        )
        with pytest.raises(Exception, match="dedup index was built with"):
            archive.ensure_index_params(CONFIG.index_params())
        archive.ensure_index_params(CONFIG.index_params(), rebuild=lambda t: text_signals(t, CONFIG).stored)
        with archive.engine.connect() as conn:
            anchors = conn.scalar(sa.select(sa.func.count()).where(lsh_buckets.c.band == ANCHOR_BAND))
            params = json.loads(conn.scalar(sa.select(meta.c.value).where(meta.c.key == "dedup_index")))
        assert anchors >= CONFIG.anchor_min and params == CONFIG.index_params()


@pytest.mark.parametrize("first", ["local context", "all at once"])
def test_two_copies_too_unlike_to_match_each_other_join_one_story_when_their_original_comes_after_both(
    pipelines: Pipelines, db: str, web: RepostWeb, first: str
) -> None:
    # a credited copy with its own lines first and a cut-down one may share too little to be linked to each other,
    # so each is a story of its own until the original, a copy of both, shows that the two are one story; a
    # briefing carrying the lede of each, there before them all, is another story and makes no copy a briefing
    context = [p for s in load_own_stories()[12:14] for p in s.body if 25 <= len(p.split()) <= 80]
    originals = [(site, s) for site in web.sites for s in site.stories if (site.name, s.slug) in web.originals]
    stories_only = [s for _, s in originals]
    for j in range(0, len(originals), 4):
        brief = roundup(
            stories_only[j : j + 4], random.Random(j), WORDINGS[2], slug="", outlet="Daily", published="", author=""
        )
        pipelines.feed(f"http://briefing.example/{j}", brief, "Daily")
    order = [first, ({"local context", "all at once"} - {first}).pop(), "original"]
    for n, (site, original) in enumerate(originals):
        rng = random.Random(n)
        credit = next((name, city) for name, _, city in WIRES if name == site.name)
        pages = {
            "original": original,
            "local context": repost(
                original, "local context", rng, WORDINGS[0], slug="", context=context, credit=credit
            ),
            "all at once": repost(original, "all at once", rng, WORDINGS[1], slug="", context=context),
        }
        for kind in order:
            pipelines.feed(f"http://{kind.replace(' ', '-')}.example/{n}", pages[kind], kind)
    found = _story_of(db)
    story_of = {
        n: {found[u] for u in found if u.endswith(f"/{n}") and "briefing" not in u} for n in range(len(originals))
    }
    assert [n for n, ids in story_of.items() if len(ids) > 1] == []
    briefings = [story for url, story in found.items() if "briefing" in url]
    assert len(set(briefings)) == len(briefings) and not set(briefings) & set().union(*story_of.values())
