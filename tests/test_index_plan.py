"""The candidate query reads the dedup index by index lookups only, on a new database and on an analysed one.

A new archive's tables have no statistics yet (PostgreSQL has not analysed them:
``reltuples`` is -1), which is when a planner is most tempted to scan a table;
the plan is read again after ANALYZE, and on PostgreSQL also as the generic plan
a prepared statement gets after a few runs (psycopg prepares a query run often).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from archive_data import new_story
from crawler.dedup.compare import DedupConfig
from crawler.dedup.minhash import text_signals
from crawler.pipelines.dedup import MIN_SHARED_KEYS
from racing_writers import copy_of, story, vocabulary
from storage import Archive
from storage.index import candidate_query

#: Stories in the archive whose plan is read: enough rows that a scan would be a real cost.
STORIES = 300
CONFIG = DedupConfig()


def plans(conn: Connection, keys: list[tuple[int, int]]) -> list[str]:
    """Return the plans of the candidate query for ``keys``: as run, and (PostgreSQL) its generic plan."""
    query, params = candidate_query(conn.dialect.name, keys, MIN_SHARED_KEYS)
    state = query.compile(dialect=conn.dialect).construct_expanded_state(params)
    if conn.dialect.name == "sqlite":
        values = tuple(state.parameters[name] for name in state.positiontup or ())
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + state.statement, values)
        return ["\n".join(row[-1] for row in rows)]
    custom = "\n".join(conn.exec_driver_sql("EXPLAIN " + state.statement, state.parameters).scalars())
    names = re.findall(r"%\((\w+)\)s", state.statement)
    prepared = state.statement
    for number, name in enumerate(names, 1):
        prepared = prepared.replace(f"%({name})s", f"${number}", 1)
    conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    conn.exec_driver_sql("PREPARE candidates AS " + prepared)
    arguments = ", ".join(_literal(state.parameters[name]) for name in names)
    generic = "\n".join(conn.exec_driver_sql(f"EXPLAIN EXECUTE candidates({arguments})").scalars())
    conn.exec_driver_sql("DEALLOCATE candidates")
    return [custom, generic]


def _literal(value: int | list[int]) -> str:
    """Return a number, or an array of numbers, as SQL."""
    return f"ARRAY[{', '.join(str(int(v)) for v in value)}]::bigint[]" if isinstance(value, list) else str(int(value))


def analysed(conn: Connection) -> bool:
    """Return True if the planner has statistics of the index table."""
    if conn.dialect.name == "sqlite":
        return bool(conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar())
    return conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'lsh_buckets'::regclass").scalar() != -1


def assert_index_lookups_only(plan: str) -> None:
    assert "lsh_buckets" in plan
    assert not re.search(r"Seq Scan on lsh_buckets|SCAN lsh_buckets(?! USING)", plan), plan
    assert re.search(r"Index (Only )?Scan|SEARCH lsh_buckets USING", plan), plan


def test_the_candidate_query_uses_the_index_on_a_new_and_on_an_analysed_database(db: str) -> None:
    words = vocabulary()
    with Archive(db) as archive:
        with archive.engine.begin() as conn:
            assert sa.inspect(conn).get_pk_constraint("lsh_buckets")["constrained_columns"][:2] == ["band", "bucket"]
            if conn.dialect.name == "postgresql":  # autovacuum stays away: the table is kept as never analysed
                conn.exec_driver_sql("ALTER TABLE lsh_buckets SET (autovacuum_enabled = false)")
        for number in range(STORIES):
            text = "\n".join(story(number, words))
            archive.add_story(new_story(f"http://a.org/{number}", text=text), text_signals(text, CONFIG).band_keys, {})
        copy = "\n".join(copy_of(story(7, words), 1, 7, words))
        keys = text_signals(copy, CONFIG).band_keys
        assert archive.candidates(keys, MIN_SHARED_KEYS)[:1] == [archive.story_of_url("http://a.org/7")]
        # a long text (twenty stories' worth, ~3,000 words) asks for hundreds of keys at once
        long_keys = text_signals("\n".join(p for n in range(20) for p in story(STORIES + n, words)), CONFIG).band_keys
        assert len(long_keys) > 200
        with archive.engine.begin() as conn:
            assert not analysed(conn)
            for plan in plans(conn, keys) + plans(conn, long_keys):
                assert_index_lookups_only(plan)
            conn.exec_driver_sql("ANALYZE lsh_buckets" if conn.dialect.name == "postgresql" else "ANALYZE")
        with archive.engine.begin() as conn:
            assert analysed(conn)
            for plan in plans(conn, keys) + plans(conn, long_keys):
                assert_index_lookups_only(plan)


@pytest.mark.parametrize("keys", [[(0, 1)], [(-1, 1), (-1, 2), (-1, 3)]])
def test_the_candidate_query_of_few_keys_uses_the_index_on_an_empty_database(db: str, keys) -> None:
    with Archive(db) as archive, archive.engine.begin() as conn:
        for plan in plans(conn, keys):
            assert_index_lookups_only(plan)
