"""The databases the storage tests run on: each test that takes ``db`` runs on SQLite and on PostgreSQL.

PostgreSQL is a real server (``NEWSARCHIVE_TEST_POSTGRES``, default
127.0.0.1:5432 as user postgres). Each test session creates its own database,
so parallel sessions on one server never meet, and drops it at the end; each
test gets a fresh schema in it. Without a server the PostgreSQL cases skip —
unless ``NEWSARCHIVE_REQUIRE_SERVICES=1`` (set by CI), where they fail.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

SERVER = os.environ.get("NEWSARCHIVE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_SERVICES = os.environ.get("NEWSARCHIVE_REQUIRE_SERVICES") == "1"


def missing_service(what: str, error: Exception) -> None:
    """Skip the test for a service that is not there, or fail it where services are required (CI)."""
    message = f"{what} is not reachable ({error}); start it, or see .ci/run"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} [NEWSARCHIVE_REQUIRE_SERVICES=1]")
    pytest.skip(message)


class PostgresServer:
    """Databases of one test session on the PostgreSQL server, each dropped at the end."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.prefix = f"newsarchive_test_{os.getpid()}_{secrets.token_hex(3)}"
        self.databases: list[str] = []
        self._schemas = itertools.count(1)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.server, autocommit=True, connect_timeout=5)

    def url(self, database: str, schema: str | None = None) -> str:
        """Return the ``postgresql://`` URL of ``database``, searching ``schema`` first if given."""
        base = self.server.rsplit("/", 1)[0]
        options = f"?options={quote(f'-csearch_path={schema}')}" if schema else ""
        return f"{base}/{database}{options}"

    def create_database(self, suffix: str) -> str:
        name = f"{self.prefix}_{suffix}"
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.databases.append(name)
        return name

    def fresh_schema_url(self) -> str:
        """Return the URL of a new, empty schema in this session's main database."""
        schema = f"test_{next(self._schemas)}"
        with psycopg.connect(self.url(self.databases[0]), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        return self.url(self.databases[0], schema)

    def drop_all(self) -> None:
        with self.admin() as conn:
            for name in self.databases:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """This session's PostgreSQL databases (skip or fail when there is no server)."""
    server = PostgresServer(SERVER)
    try:
        server.create_database("main")
    except psycopg.OperationalError as exc:
        missing_service(f"PostgreSQL at {SERVER}", exc)
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty archive's target: an SQLite file path, or the URL of a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "archive.db")
    return request.getfixturevalue("postgres").fresh_schema_url()
