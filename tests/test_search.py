"""Full-text search, on SQLite (FTS5) and PostgreSQL (tsvector + GIN): ranked, filtered, and never fooled by its input."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from archive_data import new_story
from conftest import Crawls, newsarchive
from databases import PostgresServer
from fixture_web import FixtureWeb
from storage import Archive
from storage.read.search import MARK_END, MARK_START, postgresql_query, search
from storage.selection import Selection

ORCHARD = "Farmers in the valley picked apples and pears all week.\nThe harvest was the best in years."
MARKET = "At the market, traders sold fish and bread.\nA few stalls had apples from the north."
INJECTED = "Readers wrote in to ask whether anyone would drop the table of stories from the paper."
QUOTED = "Officials said O'Brien would answer questions on Monday about the budget."


def _fill(archive: Archive) -> None:
    archive.add_story(
        new_story("http://farm.org/1", "farm.org", ORCHARD, title="Apples galore", published="2024-05-02"), [], {}
    )
    archive.add_story(
        new_story("http://town.org/1", "town.org", MARKET, title="Market day", published="2024-06-10"), [], {}
    )
    archive.add_story(new_story("http://town.org/2", "town.org", INJECTED, title="Letters", published=None), [], {})
    archive.add_story(
        new_story("http://town.org/3", "town.org", QUOTED, title="Budget hearing", published="2024-06-11"), [], {}
    )


@pytest.fixture
def archive(db: str):
    with Archive(db) as archive:
        _fill(archive)
        yield archive


def _urls(archive: Archive, query: str, **selection: object) -> list[str]:
    return [hit.url for hit in search(archive, query, Selection(**selection))]


def test_a_title_match_ranks_above_a_text_match(archive: Archive) -> None:
    assert _urls(archive, "apples") == ["http://farm.org/1", "http://town.org/1"]


def test_every_word_must_match_in_any_form(archive: Archive) -> None:
    assert _urls(archive, "apple harvest") == ["http://farm.org/1"]  # stemmed: apple finds apples
    assert _urls(archive, "apples fish") == ["http://town.org/1"]
    assert _urls(archive, "apples submarine") == []


def test_the_snippet_marks_the_matched_words(archive: Archive) -> None:
    (hit,) = search(archive, "harvest")
    assert f"{MARK_START}harvest{MARK_END}" in hit.snippet
    assert hit.title == "Apples galore" and hit.site == "farm.org" and hit.published == "2024-05-02"


def test_site_and_dates_narrow_the_results(archive: Archive) -> None:
    assert _urls(archive, "apples", site="town.org") == ["http://town.org/1"]
    assert _urls(archive, "apples", since=date(2024, 6, 1)) == ["http://town.org/1"]
    assert _urls(archive, "apples", until=date(2024, 6, 9)) == ["http://farm.org/1"]
    assert _urls(archive, "apples", since=date(2024, 5, 2), until=date(2024, 5, 2)) == ["http://farm.org/1"]
    assert _urls(archive, "stories") == ["http://town.org/2"]
    assert _urls(archive, "stories", since=date(2000, 1, 1)) == []  # undated stories are outside any date range


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(apples pears)",  # FTS5 would match the orchard story: both words, near each other
        "apples OR submarine",  # FTS5 would match two stories
        "title:apples",  # FTS5 would search the title column
        "apples NOT submarine",  # FTS5 would match two stories
        "apples*  AND submarine*",
        '* ^ : ( ) "',
        "' OR '1'='1",
        '" OR 1=1 --',
    ],
)
def test_search_syntax_and_sql_in_a_query_are_plain_words(archive: Archive, query: str) -> None:
    assert _urls(archive, query) == []
    assert archive.summary()["stories"] == 4


@pytest.mark.parametrize("query", ["(apples", '"apples', "apples^", "apples*", "apples)", "^apples:"])
def test_unbalanced_search_syntax_is_no_error(archive: Archive, query: str) -> None:
    assert _urls(archive, query) == _urls(archive, "apples") == ["http://farm.org/1", "http://town.org/1"]


def test_a_sql_fragment_is_searched_for_as_words(archive: Archive) -> None:
    assert _urls(archive, "'; DROP TABLE stories; --") == ["http://town.org/2"]
    assert archive.summary()["stories"] == 4


def test_a_quote_inside_a_word_is_searchable(archive: Archive) -> None:
    assert _urls(archive, "O'Brien") == ["http://town.org/3"]
    assert _urls(archive, '"budget"') == ["http://town.org/3"]


def test_the_index_follows_rewritten_texts(archive: Archive) -> None:
    plums = archive.reclean("farm.org", lambda raw, _: raw.replace("pears", "plums"), signals=lambda t: (t[:9], []))
    assert plums == 1
    assert _urls(archive, "plums") == ["http://farm.org/1"]
    assert _urls(archive, "pears") == []
    if archive.engine.dialect.name == "sqlite":  # the external-content FTS5 table agrees with stories
        with archive.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO stories_fts(stories_fts, rank) VALUES ('integrity-check', 1)"))


def test_postgresql_search_uses_the_gin_index(postgres: PostgresServer) -> None:
    with Archive(postgres.fresh_schema_url()) as archive:
        _fill(archive)
        query = postgresql_query("apples", Selection(), 10).compile(
            archive.engine, compile_kwargs={"literal_binds": True}
        )
        with archive.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL enable_seqscan = off"))  # four stories: a scan would be cheaper
            plan = "\n".join(conn.scalars(sa.text(f"EXPLAIN {query}")))
    assert "Bitmap Index Scan on stories_search" in plan, plan


def test_newsarchive_search_prints_ranked_stories_with_snippets(archive: Archive, db: str) -> None:
    result = newsarchive("search", "apples", "--db", db, "--site", "town.org", "--limit", "5")
    assert result.returncode == 0, result.stderr
    assert "1. Market day" in result.stdout
    assert "http://town.org/1" in result.stdout and "farm.org" not in result.stdout
    assert "A few stalls had apples from the north" in " ".join(result.stdout.split())
    assert "1 story found" in result.stderr


def test_newsarchive_search_rejects_bad_dates(archive: Archive, db: str) -> None:
    result = newsarchive("search", "apples", "--db", db, "--since", "2024-07-01", "--until", "2024-06-01")
    assert result.returncode == 2
    assert "is after until" in result.stderr


def test_a_crawled_story_is_found_once_by_its_title(crawls: Crawls, test_web: FixtureWeb) -> None:
    with Archive(str(crawls.db), create=False) as archive:
        urls = [hit.url for hit in search(archive, test_web.seed.title)]
    assert urls == [test_web.sites[0].article_url(test_web.seed)]
    (repost,) = [s for s in test_web.sites[1].stories if s.slug == "us-ready-to-talk-thaad"]
    assert test_web.sites[1].article_url(repost) not in urls  # a duplicate, not a second result
