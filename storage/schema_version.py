"""Versioned schema migrations with Alembic: bring an archive to this tool's schema, refuse a newer one."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection



def _migrations_folder() -> Path:
    """Return the folder of the migrations. Alembic reads them as files: run from a zipped egg
    (a scrapyd deployment), they are copied out to a temporary folder first."""
    folder = Path(__file__).with_name("migrations")
    if folder.is_dir():
        return folder
    copy = Path(tempfile.mkdtemp(prefix="newsarchive-migrations-"))
    atexit.register(shutil.rmtree, copy, True)
    _copy_tree(resources.files("storage").joinpath("migrations"), copy)
    return copy


def _copy_tree(source: Traversable, target: Path) -> None:
    for item in source.iterdir():
        if item.is_dir():
            (target / item.name).mkdir()
            _copy_tree(item, target / item.name)
        else:
            (target / item.name).write_bytes(item.read_bytes())


MIGRATIONS = _migrations_folder()

#: Archives written before migrations existed carry this table and no alembic_version.
_PRE_ALEMBIC_TABLE = "stories"
_PRE_ALEMBIC_REVISION = "0001"
#: PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK = 0x6E657773  # "news"


class SchemaError(Exception):
    """The archive's schema is one this newsarchive does not know (written by a newer one)."""


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    """The newest schema revision this newsarchive knows."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def current(conn: Connection) -> str | None:
    """The archive's schema revision, or None for an empty database."""
    return MigrationContext.configure(conn).get_current_revision()


def _lock(conn: Connection) -> None:
    """Take the archive's write lock for the caller's transaction: processes opening a new archive at once take turns."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would begin only at the first write, after the check


def upgrade(conn: Connection) -> tuple[str | None, str]:
    """Bring the archive on ``conn`` to the newest schema; return (revision before, revision after)."""
    _lock(conn)
    script = ScriptDirectory(str(MIGRATIONS))
    found = current(conn)
    if found is not None and found not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaError(
            f"the archive has schema revision {found}, newer than this newsarchive knows ({head()}): "
            "upgrade newsarchive"
        )
    config = _config(conn)
    if found is None and sa.inspect(conn).has_table(_PRE_ALEMBIC_TABLE):
        command.stamp(config, _PRE_ALEMBIC_REVISION)
    if found != script.get_current_head():
        command.upgrade(config, "head")
    return found, head()
