"""Race-free dedup: two writers archiving copies of one story at the same moment make one story and one duplicate.

Two processes (:mod:`racing_writers`), each with its own connection to the archive
(PostgreSQL; SQLite too, where the lock is the database's write lock), send their
own near-duplicate of each of a thousand stories (200 on SQLite) through the real
dedup and store pipelines at once, ten stories to a transaction, in opposite orders.
With ``DEDUP_LOCK`` (the default) every pair ends as a story and its duplicate, and
neither writer deadlocks the other; without it (PostgreSQL), both writers find
nothing and each archives a story: the same test then sees doubles. The lock itself:
a writer of a near-duplicate waits for the one holding a shared key, a writer of an
unrelated article does not.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import sqlalchemy as sa

from archive_data import new_story
from databases import PostgresServer
from racing_writers import SITES, url, write
from storage import Archive, index, stories
from storage.schema import sightings

#: Stories raced on each engine, each once: both writers archive their copy of it at the same moment. SQLite's
#: writer waiting for the write lock sleeps in its busy handler (milliseconds a time): fewer races there.
RACES = {"postgresql": 1000, "sqlite": 200}
#: Seconds both writers may take for all the races.
DEADLINE = 300.0


def races(db: str) -> int:
    return RACES["postgresql" if db.startswith("postgresql://") else "sqlite"]


def race(db: str, lock: bool) -> None:
    """Run the two writers over ``races(db)`` stories; fail if either does not finish cleanly."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter each: nothing shared but the database
    barrier = spawn.Barrier(len(SITES))
    writers = [spawn.Process(target=write, args=(db, side, races(db), lock, barrier)) for side in range(len(SITES))]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(DEADLINE)
    for writer in writers:
        if writer.is_alive():
            writer.kill()
            writer.join()
    assert [writer.exitcode for writer in writers] == [0] * len(writers)


def outcome(db: str) -> dict[int, tuple[tuple[int, str], tuple[int, str]]]:
    """Return, for each raced story, (story id, match) of both writers' copies."""
    with Archive(db) as archive, archive.engine.connect() as conn:
        found = {row.url: (row.story_id, row.match) for row in conn.execute(sa.select(sightings))}
    return {number: (found[url(0, number)], found[url(1, number)]) for number in range(races(db))}


def test_two_writers_racing_copies_of_each_story_make_one_story_and_one_duplicate(db: str) -> None:
    race(db, lock=True)
    pairs = outcome(db)
    doubled = [number for number, (one, two) in pairs.items() if one[0] != two[0]]
    assert doubled == []
    assert all(sorted((one[1], two[1])) == ["near", "original"] for one, two in pairs.values())
    with Archive(db) as archive:
        assert archive.summary()["stories"] == races(db)


def test_without_the_lock_racing_writers_double_stories(postgres: PostgresServer) -> None:
    db = postgres.fresh_schema_url()  # an SQLite writer holds the database's write lock, lock or not
    race(db, lock=False)
    pairs = outcome(db)
    doubled = [number for number, (one, two) in pairs.items() if one[0] != two[0]]
    assert doubled
    # a doubled pair is two stories, each its copy's original: what the lock prevents
    assert all(pairs[number][0][1] == pairs[number][1][1] == "original" for number in doubled)


def test_a_writer_holding_an_articles_keys_makes_a_near_duplicate_wait_and_lets_other_articles_pass(
    postgres: PostgresServer,
) -> None:
    keys, near, unrelated = [(0, 1), (1, 2), (-1, 3)], [(0, 7), (1, 2), (-1, 3)], [(0, 8), (1, 9)]
    found: list[int] = []
    with Archive(postgres.fresh_schema_url()) as archive, archive.engine.connect() as first:
        first.begin()
        index.lock_keys(first, keys)
        story_id = stories.add_story(first, new_story(), keys)
        with archive.engine.begin() as other:  # no key in common: it does not wait
            index.lock_keys(other, unrelated)

        def second() -> None:
            with archive.engine.begin() as conn:
                index.lock_keys(conn, near)
                found.extend(index.candidates(conn, near, 2))

        waiter = threading.Thread(target=second)
        waiter.start()
        with archive.engine.connect() as watch:
            deadline = time.monotonic() + 10
            while not watch.exec_driver_sql(_WAITING_FOR_ADVISORY).scalar() and time.monotonic() < deadline:
                threading.Event().wait(0.01)
            assert watch.exec_driver_sql(_WAITING_FOR_ADVISORY).scalar() == 1
        assert found == []
        first.commit()
        waiter.join(10)
    assert found == [story_id]  # it waited, then found the first writer's story


#: Advisory locks waited for in this test's database (other sessions on the server have their own databases).
_WAITING_FOR_ADVISORY = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
