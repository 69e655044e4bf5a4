"""Full-text search over titles and texts: FTS5 on SQLite, tsvector with a GIN index on PostgreSQL.

Every word of the query must match (stemmed, English rules); a match in the
title ranks higher than one in the text. The query is data, never SQL or search
syntax: it travels as a bound parameter, and on SQLite each word is quoted so
FTS5 operators (AND OR NOT NEAR * ^ : ( ) ") are searched for as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.schema import stories
from storage.selection import EVERYTHING, Selection

#: Marks around matched words in a snippet (control characters: never in archived text).
MARK_START, MARK_END = "\x02", "\x03"
#: PostgreSQL's weighted tsvector of title and text: a generated column with a GIN index (migration 0002).
PG_DOCUMENT = "search_document"
_PG_CONFIG = "'english'::regconfig"
_PG_HEADLINE = (
    f'StartSel={MARK_START}, StopSel={MARK_END}, MinWords=15, MaxWords=35, MaxFragments=2, FragmentDelimiter=" … "'
)
#: bm25 weights of the FTS5 columns (title, text).
_FTS_WEIGHTS = (10.0, 1.0)
_SNIPPET_TOKENS = 24
_WORD = re.compile(r"\w")
#: What no database takes in a text parameter: NUL (PostgreSQL refuses it) and lone surrogates (not UTF-8).
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")
#: Most distinct words a query may have: no one types more, and PostgreSQL takes a minute to rank a
#: story against a query of thousands (``body body body …``, 15 kB).
MAX_QUERY_WORDS = 50


class QueryTooLong(ValueError):
    """A query of more than MAX_QUERY_WORDS distinct words."""


@dataclass(frozen=True)
class SearchHit:
    """One story found: higher ``score`` ranks first; ``snippet`` marks matches with MARK_START/MARK_END."""

    url: str
    title: str | None
    site: str
    published: str | None
    score: float
    snippet: str
    story_id: int


def fts5_query(text: str) -> str | None:
    """Return ``text`` as an FTS5 query of quoted terms that must all match; None if it has no word.

    >>> fts5_query("NEAR(a b) OR c*")
    '"NEAR(a" "b)" "OR" "c*"'
    """
    terms = [f'"{chunk.replace(chr(34), chr(34) * 2)}"' for chunk in text.split() if _WORD.search(chunk)]
    return " ".join(terms) or None


def query_words(text: str) -> list[str]:
    """Return the words of a query, each once (case aside), without what no database takes (NUL, lone surrogates).

    Raises QueryTooLong for more than MAX_QUERY_WORDS of them.
    """
    distinct: dict[str, str] = {}
    for chunk in _NOT_TEXT.sub(" ", text).split():
        distinct.setdefault(chunk.casefold(), chunk)
    if len(distinct) > MAX_QUERY_WORDS:
        raise QueryTooLong(f"a search takes at most {MAX_QUERY_WORDS} words, got {len(distinct)}")
    return list(distinct.values())


def search(archive: Archive, text: str, selection: Selection = EVERYTHING, limit: int = 20) -> list[SearchHit]:
    """Return the best ``limit`` stories matching every word of ``text`` among the selected ones (QueryTooLong)."""
    if limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    text = " ".join(query_words(text))
    dialect = archive.engine.dialect.name
    if dialect == "postgresql":
        query = postgresql_query(text, selection, limit)
    elif dialect == "sqlite":
        fts = fts5_query(text)
        if fts is None:
            return []
        query = sqlite_query(fts, selection, limit)
    else:
        raise ValueError(f"search is not available on {dialect}")
    with archive.engine.connect() as conn:
        return [SearchHit(**row._mapping) for row in conn.execute(query)]


def _columns() -> list[sa.ColumnElement[object]]:
    return [stories.c.url, stories.c.title, stories.c.site, stories.c.published, stories.c.id.label("story_id")]


def sqlite_query(fts: str, selection: Selection, limit: int) -> sa.Select[*tuple[Any, ...]]:
    """Return the FTS5 search for the quoted query ``fts``: best BM25 first (title weighted), with a snippet."""
    table = sa.table("stories_fts", sa.column("rowid"))
    name: sa.ColumnClause[Any] = sa.literal_column("stories_fts")
    rank = sa.func.bm25(name, *_FTS_WEIGHTS)
    snippet = sa.func.snippet(name, 1, MARK_START, MARK_END, "…", _SNIPPET_TOKENS)
    return (
        sa.select(*_columns(), (-rank).label("score"), snippet.label("snippet"))
        .select_from(table.join(stories, stories.c.id == table.c.rowid))
        .where(name.op("MATCH", is_comparison=True)(fts), *selection.where())
        .order_by(rank, stories.c.id)
        .limit(limit)
    )


def postgresql_query(text: str, selection: Selection, limit: int) -> sa.Select[*tuple[Any, ...]]:
    """Return the tsvector search for the words of ``text``: best ts_rank_cd first, with a ts_headline snippet."""
    config: sa.ColumnClause[Any] = sa.literal_column(_PG_CONFIG)
    document: sa.ColumnClause[Any] = sa.literal_column(PG_DOCUMENT)
    query = sa.func.plainto_tsquery(config, text)
    rank = sa.func.ts_rank_cd(document, query)
    best = (
        sa.select(stories.c.id, rank.label("score"))
        .where(document.op("@@", is_comparison=True)(query), *selection.where())
        .order_by(rank.desc(), stories.c.id)
        .limit(limit)
        .subquery()
    )
    # ts_headline re-parses the text: only for the stories shown
    snippet = sa.func.ts_headline(config, stories.c.text, query, _PG_HEADLINE)
    return (
        sa.select(*_columns(), best.c.score, snippet.label("snippet"))
        .join(best, best.c.id == stories.c.id)
        .order_by(best.c.score.desc(), stories.c.id)
    )
