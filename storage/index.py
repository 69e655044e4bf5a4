"""The dedup index: each story's LSH keys ``(band, bucket)``, the parameters they were made with, and its probes.

A story's keys are those of every text it holds (canonical copy, kept copies,
earlier versions), so a later copy of any of them finds it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.db import ArchiveError, upsert
from storage.schema import lsh_buckets, meta, sightings, stories, story_versions

logger = logging.getLogger(__name__)

#: Text -> (exact fingerprint, index keys): the dedup core's, injected so storage knows nothing of it.
Signer = Callable[[str], tuple[str, list[tuple[int, int]]]]

_PARAMS_KEY = "dedup_index"
_INSERT = lsh_buckets.insert()


def check_params(conn: Connection, params: dict[str, Any], rebuild: Signer | None = None) -> None:
    """Record the dedup parameters on first use; refuse to mix others into the index later.

    An index built before some parameters existed (the same values for all it
    records) is rebuilt from the stored texts with ``rebuild``, if given.
    """
    wanted = json.dumps(params, sort_keys=True)
    recorded = sa.select(meta.c.value).where(meta.c.key == _PARAMS_KEY)
    if (found := conn.scalar(recorded)) is None:
        # crawls starting at once on a new archive: the first to record wins, the others check theirs against it
        conn.execute(upsert(meta, conn.dialect.name).values(key=_PARAMS_KEY, value=wanted).on_conflict_do_nothing())
        found = conn.execute(recorded).scalar_one()
    old = json.loads(found)
    if old == params:
        return
    if rebuild is not None and all(k in params and params[k] == v for k, v in old.items()):
        logger.info("rebuilding the dedup index for the parameters it lacks: %s", sorted(set(params) - set(old)))
        rekey(conn, list(conn.scalars(sa.select(stories.c.id))), rebuild)
        conn.execute(meta.update().where(meta.c.key == _PARAMS_KEY).values(value=wanted))
        return
    raise ArchiveError(
        f"this archive's dedup index was built with {found}; these settings ask for {wanted}. "
        "Use the same DEDUP_* settings, or a new archive."
    )


def candidates(conn: Connection, keys: Iterable[tuple[int, int]], at_least: int = 1) -> list[int]:
    """Return the stories sharing ``at_least`` index keys ``(band, bucket)`` with ``keys``, most shared first."""
    query, params = candidate_query(conn.dialect.name, keys, at_least)
    return list(conn.scalars(query, params)) if params else []


def candidate_query(
    dialect: str, keys: Iterable[tuple[int, int]], at_least: int = 1
) -> tuple[sa.Executable, dict[str, Any]]:
    """Return the statement :func:`candidates` runs for ``keys`` in ``dialect`` and its parameters (none: no keys).

    PostgreSQL gets all keys as two arrays: one statement text whatever the keys, prepared once
    and reused by the driver; SQLite one ``band = ? AND bucket IN (...)`` per band.
    """
    keys = list(dict.fromkeys(keys))  # a key given twice is shared once
    if dialect == "postgresql":
        if not keys:
            return _PG_CANDIDATES, {}
        bands, buckets = zip(*keys)
        return _PG_CANDIDATES, {"bands": list(bands), "buckets": list(buckets), "at_least": at_least}
    by_band: dict[int, list[int]] = {}
    for band, key in keys:
        by_band.setdefault(band, []).append(key)
    params = {f"b{i}": band for i, band in enumerate(by_band)} | {f"k{i}": ks for i, ks in enumerate(by_band.values())}
    return _candidates_query(len(by_band), at_least), params


def lock_keys(conn: Connection, keys: Iterable[tuple[int, int]]) -> None:
    """Hold ``keys`` for the rest of the caller's transaction, so writers of near-duplicates decide one after the other.

    ``keys`` are those of every article the transaction writes, held from its start.
    PostgreSQL: a transaction-scoped advisory lock per key, all taken in ascending order
    in one statement (two writers never wait on each other in a cycle); a writer whose
    text shares a key with another's waits until that one has committed, then its
    candidate query sees the other's story. Any two texts that could be each other's
    candidates share a key, anchors included. SQLite needs none: a writing transaction
    holds the database's one write lock from its start (:func:`storage.db.begin_writing`).
    """
    if conn.dialect.name == "postgresql" and (ids := sorted({_lock_id(band, bucket) for band, bucket in keys})):
        # unnest keeps the array's order: the locks are taken in ascending order, in one round trip
        conn.execute(_LOCK, {"ids": ids})


def insert_keys(conn: Connection, story_id: int, keys: Iterable[tuple[int, int]]) -> None:
    """Index a new story under ``keys`` (a key given twice is an error: the write fails)."""
    _write_keys(conn, story_id, list(keys), skip_known=False)


def join_keys(conn: Connection, story_id: int, keys: Iterable[tuple[int, int]]) -> None:
    """Add ``keys`` (of another copy or version) to those of story ``story_id``; a key it has already stays once."""
    _write_keys(conn, story_id, list(keys), skip_known=True)


def keys_of(conn: Connection, story_ids: Iterable[int]) -> list[tuple[int, int]]:
    """Return the index keys of stories ``story_ids``."""
    query = sa.select(lsh_buckets.c.band, lsh_buckets.c.bucket).where(lsh_buckets.c.story_id.in_(list(story_ids)))
    return [(band, bucket) for band, bucket in conn.execute(query)]


def move_keys(conn: Connection, from_id: int, to_id: int) -> None:
    """Give story ``to_id`` the index keys of story ``from_id``, which keeps none."""
    join_keys(conn, to_id, keys_of(conn, [from_id]))
    conn.execute(lsh_buckets.delete().where(lsh_buckets.c.story_id == from_id))


def _write_keys(conn: Connection, story_id: int, keys: list[tuple[int, int]], skip_known: bool) -> None:
    """Insert a story's keys: on PostgreSQL one statement of two arrays (a row each is a server round of its own)."""
    if not keys:
        return
    if conn.dialect.name == "postgresql":
        bands, buckets = zip(*keys)
        params = {"story_id": story_id, "bands": list(bands), "buckets": list(buckets)}
        conn.execute(_PG_JOIN if skip_known else _PG_INSERT, params)
    else:
        conn.execute(_join_statement(conn.dialect.name) if skip_known else _INSERT, _rows(story_id, keys))


def rekey(conn: Connection, story_ids: list[int], sign: Signer) -> None:
    """Replace the index keys of ``story_ids`` with those of their texts: canonical, copies, earlier versions."""
    for start in range(0, len(story_ids), 500):
        batch = story_ids[start : start + 500]
        texts = sa.union_all(
            sa.select(stories.c.id, stories.c.text).where(stories.c.id.in_(batch)),
            sa.select(sightings.c.story_id, sightings.c.text).where(
                sightings.c.story_id.in_(batch), sightings.c.text.is_not(None)
            ),
            sa.select(story_versions.c.story_id, story_versions.c.text).where(story_versions.c.story_id.in_(batch)),
        )
        rows = {(story_id, band, key) for story_id, text in conn.execute(texts) for band, key in sign(text)[1]}
        conn.execute(lsh_buckets.delete().where(lsh_buckets.c.story_id.in_(batch)))
        if rows:
            conn.execute(_INSERT, [{"band": b, "bucket": k, "story_id": i} for i, b, k in sorted(rows)])


_PG_INSERT = sa.text(
    "INSERT INTO lsh_buckets (band, bucket, story_id) SELECT band, bucket, :story_id"
    " FROM unnest(CAST(:bands AS smallint[]), CAST(:buckets AS bigint[])) AS k(band, bucket)"
)
_PG_JOIN = sa.text(_PG_INSERT.text + " ON CONFLICT DO NOTHING")
#: Each key is looked up on its own in the index (``OFFSET 0`` keeps the planner from turning the lookups into
#: one join, which on a small or unanalysed table it may answer with a scan of the whole index table).
_PG_CANDIDATES = sa.text(
    "SELECT found.story_id"
    " FROM unnest(CAST(:bands AS smallint[]), CAST(:buckets AS bigint[])) AS k(band, bucket),"
    " LATERAL (SELECT story_id FROM lsh_buckets WHERE band = k.band AND bucket = k.bucket OFFSET 0) AS found"
    " GROUP BY found.story_id HAVING count(*) >= :at_least ORDER BY count(*) DESC, found.story_id"
)
_LOCK = sa.text("SELECT count(pg_advisory_xact_lock(id)) FROM unnest(CAST(:ids AS bigint[])) AS id")


def _lock_id(band: int, bucket: int) -> int:
    """Return the advisory lock id of an index key: a signed 64-bit hash of both (a collision only makes two wait)."""
    digest = hashlib.blake2b(struct.pack("<hq", band, bucket), digest_size=8, person=b"newsarchive-lsh").digest()
    return int.from_bytes(digest, "little", signed=True)


def _rows(story_id: int, keys: Iterable[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"band": b, "bucket": k, "story_id": story_id} for b, k in keys]


@lru_cache(maxsize=2)
def _join_statement(dialect: str) -> Any:
    """Return the insert of keys that skips those already there, built once per dialect."""
    return upsert(lsh_buckets, dialect).on_conflict_do_nothing()


@lru_cache(maxsize=8)
def _candidates_query(n: int, at_least: int = 1) -> sa.Select[Any]:
    """Return the candidate query for keys of ``n`` bands, built once: one index probe per key."""
    match = sa.or_(
        *(
            sa.and_(
                lsh_buckets.c.band == sa.bindparam(f"b{i}"),
                lsh_buckets.c.bucket.in_(sa.bindparam(f"k{i}", expanding=True)),
            )
            for i in range(n)
        )
    )
    return (
        sa.select(lsh_buckets.c.story_id)
        .where(match)
        .group_by(lsh_buckets.c.story_id)
        .having(sa.func.count() >= at_least)
        .order_by(sa.func.count().desc(), lsh_buckets.c.story_id)
    )
