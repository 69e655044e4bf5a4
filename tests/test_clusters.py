"""Clusters with provenance: one canonical copy per story (the earliest published), every other place it ran."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.dedup.minhash import text_signals
from crawler.demo.newsweb import Story, edited
from crawler.extensions.archive import ArchiveOwner, archive_owner
from crawler.extract.article import Article
from crawler.extract.furniture import countable_lines
from crawler.extract.metadata import PageMetadata
from crawler.items import ArticleItem
from crawler.outcomes import Outcome, PageDropped
from crawler.pipelines.dedup import DedupPipeline, dedup_config
from crawler.pipelines.store import StorePipeline
from fixture_web import load_articles, load_seed
from storage import Archive, ArchiveError
from storage.read.clusters import clusters, page
from unit_crawler import through


class Pipelines:
    """The real dedup and store pipelines over one archive, fed articles as the extract pipeline would."""

    def __init__(self, db: str, **settings: object) -> None:
        # each article its own transaction, written at once: the tests read the archive after each
        settings = {"NEWSARCHIVE_DB": db, "EXTENSIONS": {ArchiveOwner: 0}, "ARCHIVE_BATCH_SIZE": 1, **settings}
        self.crawler = get_crawler(settings_dict=settings)
        self.config = dedup_config(self.crawler.settings)
        self.crawler.stats.open_spider()
        self.stages = [DedupPipeline.from_crawler(self.crawler), StorePipeline.from_crawler(self.crawler)]
        for stage in self.stages:
            stage.open_spider()

    def feed(self, url: str, story: Story, published: str | None = None, revises: int | None = None) -> ArticleItem:
        lines = tuple(story.paragraphs)
        meta = PageMetadata(
            title=story.title, authors=(story.author,), published=published, language="en", page_type="article"
        )
        article = Article(url, lines, meta)
        text = "\n".join(lines)
        item = ArticleItem(
            url=url,
            site=url.split("/")[2],
            article=article,
            text=text,
            signals=text_signals(text, self.config),
            countable=countable_lines(lines, 40, article.dropped),
            revises=revises,
        )
        return asyncio.run(through(self.stages, item))

    def stat(self, key: str) -> int:
        return self.crawler.stats.get_value(f"newsarchive/{key}", 0)

    def close(self) -> None:
        self.stages[-1].close_spider()  # the store re-cleans
        archive_owner(self.crawler).archive.close()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "archive.db")


@pytest.fixture
def pipelines(db: str):
    feed = Pipelines(db)
    yield feed
    feed.close()


@pytest.fixture(scope="module")
def story() -> Story:
    return load_seed()


def _copies(db: str) -> list[tuple[str, str]]:
    with Archive(db) as archive:
        (cluster,) = clusters(archive)
    return [(c.url, c.match) for c in cluster.copies]


def test_a_repost_is_a_sighting_of_the_story_with_its_similarity(pipelines: Pipelines, db: str, story: Story) -> None:
    pipelines.feed("http://first.org/a", story, "2019-11-10")
    pipelines.feed("http://second.org/b", edited(story, dateline="WASHINGTON (AP) —", keep=-2), "2019-11-11")
    with Archive(db) as archive:
        (cluster,) = clusters(archive)
    original, repost = cluster.copies
    assert (original.url, original.match, original.published) == ("http://first.org/a", "original", "2019-11-10")
    assert (repost.url, repost.site, repost.match, repost.published) == (
        "http://second.org/b",
        "second.org",
        "near",
        "2019-11-11",
    )
    assert 0.5 < repost.similarity < 1.0 and repost.containment > 0.9


def test_an_older_copy_found_later_becomes_canonical(pipelines: Pipelines, db: str, story: Story) -> None:
    pipelines.feed("http://late.org/a", edited(story, editor_note="Editor's note: updated."), "2019-11-12")
    pipelines.feed("http://third.org/c", story, "2019-11-13")
    pipelines.feed("http://early.org/b", edited(story, dateline="BEIJING —"), "2019-11-10")
    assert pipelines.stat("dedup/repointed") == 1
    assert _copies(db) == [
        ("http://early.org/b", "original"),
        ("http://late.org/a", "near"),
        ("http://third.org/c", "near"),
    ]
    with Archive(db) as archive:
        (record,) = archive.iter_stories()
        old = page(archive, "http://late.org/a")
    assert record["url"] == "http://early.org/b" and record["published"] == "2019-11-10"
    assert record["text"].startswith("BEIJING —")
    assert old is not None and old.text is not None and old.text.startswith("Editor's note")
    assert 0.5 < old.similarity < 1.0


def test_without_publication_dates_the_first_seen_stays_canonical(pipelines: Pipelines, db: str, story: Story) -> None:
    pipelines.feed("http://one.org/a", story)
    pipelines.feed("http://two.org/b", edited(story, dateline="PARIS —"), "2019-11-01")
    pipelines.feed("http://three.org/c", story)
    assert _copies(db) == [
        ("http://one.org/a", "original"),
        ("http://two.org/b", "near"),
        ("http://three.org/c", "exact"),
    ]


def test_the_same_url_again_is_a_new_version_never_a_repost(pipelines: Pipelines, db: str, story: Story) -> None:
    first = pipelines.feed("http://site.org/a", story, "2019-11-10")
    updated = edited(story, editor_note="Update: this story has been updated with new figures.")
    # the extract pipeline found the URL archived as the story's own page: the item says which story it revises
    again = pipelines.feed("http://site.org/a", updated, "2019-11-11", revises=1)
    assert (first.stored, again.stored, again.duplicate_of) == ("archived", "revised", None)
    assert pipelines.stat("versions/new") == 1
    with Archive(db) as archive:
        assert clusters(archive) == []
        assert archive.summary()["duplicates"] == 0


def test_the_same_url_archived_since_the_extract_pipeline_asked_is_dropped_as_known(
    pipelines: Pipelines, db: str, story: Story
) -> None:
    pipelines.feed("http://site.org/a", story, "2019-11-10")
    with pytest.raises(PageDropped) as dropped:  # two pages of one canonical URL extracted at once
        pipelines.feed("http://site.org/a", edited(story, dateline="PARIS —"), "2019-11-10")
    assert (dropped.value.outcome, dropped.value.reason) == (Outcome.KNOWN, "known_url")
    with Archive(db) as archive:
        assert clusters(archive) == []
        assert archive.summary()["duplicates"] == 0


def test_different_stories_stay_apart_and_empty_texts_are_never_merged(pipelines: Pipelines, db: str) -> None:
    stories = list(load_articles().values())[:4]
    for i, other in enumerate(stories):
        pipelines.feed(f"http://news.org/{i}", other, "2019-11-10")
    empty = Story("empty", "Empty", "", "", "", ())
    pipelines.feed("http://news.org/empty-1", empty)
    item = pipelines.feed("http://news.org/empty-2", empty)
    assert item.duplicate_of is None
    with Archive(db) as archive:
        assert clusters(archive) == []
        assert archive.summary()["stories"] == 6


def test_an_archive_refuses_other_dedup_parameters(db: str, story: Story) -> None:
    first = Pipelines(db)
    first.feed("http://first.org/a", story)
    first.close()
    for setting, value in (
        ("DEDUP_SHINGLE_SIZE", 4),
        ("DEDUP_HASHFUNC", "sha1"),
        ("DEDUP_NUM_PERM", 64),
        ("DEDUP_SEED", 7),
    ):
        with pytest.raises(ArchiveError, match=setting.removeprefix("DEDUP_").lower()):
            Pipelines(db, **{setting: value})


def test_clusters_are_listed_biggest_first_and_filtered_by_site(pipelines: Pipelines, db: str, story: Story) -> None:
    other = next(iter(load_articles().values()))
    pipelines.feed("http://a.org/small", other)
    pipelines.feed("http://b.org/small", edited(other, title="Other headline", dateline="LONDON —"))
    for i, site in enumerate(("a.org", "c.org", "d.org")):
        pipelines.feed(f"http://{site}/big", edited(story, dateline=f"CITY{i} —"))
    with Archive(db) as archive:
        assert [len(c.copies) for c in clusters(archive)] == [3, 2]
        assert [c.copies[0].url for c in clusters(archive, site="b.org")] == ["http://a.org/small"]
        assert [c.copies[0].url for c in clusters(archive, site="d.org")] == ["http://a.org/big"]
        assert clusters(archive, site="z.org") == []


def test_an_archive_from_before_clusters_keeps_its_stories_and_copies(db: str) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from storage.schema_version import MIGRATIONS

    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            sa.text(
                "INSERT INTO stories (id, url, site, text, raw_text, fingerprint, first_seen) "
                "VALUES (1, 'http://a.org/1', 'a.org', 'Body.', 'Body.', 'f', '2019-11-10 00:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO sightings (story_id, url, site, match, similarity, containment, seen) VALUES "
                "(1, 'http://a.org/1', 'a.org', 'original', 1, 1, '2019-11-10 00:00:00'), "
                "(1, 'http://b.org/2', 'b.org', 'near', 0.7, 0.9, '2019-11-11 00:00:00')"
            )
        )
    engine.dispose()
    with Archive(db) as archive:
        (cluster,) = clusters(archive)
        original, copy = page(archive, "http://a.org/1"), page(archive, "http://b.org/2")
    assert [(c.url, c.match, c.similarity) for c in cluster.copies] == [
        ("http://a.org/1", "original", 1.0),
        ("http://b.org/2", "near", 0.7),
    ]
    assert original is not None and original.text == "Body."
    assert copy is not None and copy.text is None  # copies archived before 0005 kept no text
