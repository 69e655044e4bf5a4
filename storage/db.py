"""Who opens the database: an engine from a path or SQLAlchemy URL, migrated; the dialect's upsert; UTC times.

SQLite is the default (a file path or ``sqlite:///…``); PostgreSQL runs the same
code through psycopg 3 (``postgresql://…``).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from storage import schema_version

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


class ArchiveError(Exception):
    """The archive cannot be used as asked (wrong schema, incompatible index, bad URL)."""


#: URL schemes people write for PostgreSQL, and the SQLAlchemy driver that serves them.
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_POSTGRES_DRIVER = "postgresql+psycopg://"


def archive_url(target: str) -> str:
    """Return the SQLAlchemy URL for ``target``: a database URL, or a path to an SQLite file.

    ``postgresql://`` (and ``postgres://``) URLs are served by psycopg 3.
    """
    for scheme in _POSTGRES_SCHEMES:
        if target.startswith(scheme):
            return _POSTGRES_DRIVER + target.removeprefix(scheme)
    if "://" in target:
        return target
    return f"sqlite:///{target}"


def archive_file(target: str) -> Path | None:
    """Return the file of an SQLite archive ``target`` (path or URL); None for a server or in-memory database."""
    url = make_url(archive_url(target))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database)
    return None


def open_engine(target: str, *, create: bool = True) -> Engine:
    """Return an engine on the archive at ``target``, its schema brought to the newest revision.

    Without ``create``, refuse a target that holds no archive yet rather than create one.
    """
    try:
        engine = sa.create_engine(archive_url(target))
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise ArchiveError(f"not a database URL or path: {target!r} ({exc})") from exc
    database = engine.url.database
    if not create and engine.dialect.name == "sqlite" and database and not os.path.exists(database):
        raise ArchiveError(f"no archive at {database}: crawl into it first, or pass --db")
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _migrate(engine, create)
    except sa.exc.DBAPIError as exc:  # not a database (a text file), a server refusing, a locked file
        engine.dispose()
        name = safe_url(engine.url) if "://" in target else target
        raise ArchiveError(f"cannot open archive {name}: {' '.join(str(exc.orig).split())}") from exc  # one line
    except ArchiveError:
        engine.dispose()
        raise
    return engine


def _migrate(engine: Engine, create: bool) -> None:
    try:
        with engine.begin() as conn:
            if not create and schema_version.current(conn) is None and not sa.inspect(conn).has_table("stories"):
                raise ArchiveError(f"no archive in {safe_url(engine.url)}: crawl into it first, or pass --db")
            schema_version.upgrade(conn)
    except schema_version.SchemaError as exc:
        raise ArchiveError(str(exc)) from exc


def safe_url(url: sa.URL) -> str:
    """Return ``url`` for messages: without its password."""
    return url.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # the busy timeout first: switching a new file to WAL while another process opens it waits, not fails
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # the LSH index is probed at random places: read its pages straight from the OS cache
    cursor.execute("PRAGMA mmap_size=4294967296")
    cursor.close()


def begin_writing(conn: sa.Connection) -> None:
    """Begin the caller's SQLite transaction now, holding the database's one write lock (other writers wait).

    pysqlite would begin it only at the first write: a SAVEPOINT before that would be a
    transaction of its own, committed when released, and a transaction that read first
    could not write once another writer had committed (SQLITE_BUSY_SNAPSHOT, no waiting).
    """
    if conn.dialect.name != "sqlite":
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def upsert(table: sa.Table, dialect: str) -> SqliteInsert | PostgresInsert:
    """Return an INSERT into ``table`` that can take ON CONFLICT, in the SQL of ``dialect``.

    The dialect's module is imported on use: PostgreSQL's costs 0.1 s.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """Return the primary key of the row an INSERT of one row wrote."""
    key = result.inserted_primary_key
    assert key is not None, "not the result of an INSERT"
    return int(key[0])


def now() -> datetime:
    """The time to store: now, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
