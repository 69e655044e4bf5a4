"""Versioned schema migrations with Alembic: bring an archive to this tool's schema, refuse a newer one.

Alembic takes a fifth of a second to import: an archive already at the newest
revision is recognised without it, from the ``revision`` lines of the migration files.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config


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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    """The newest schema revision this newsarchive knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|[\"'][^\"']*[\"'])", re.MULTILINE)


@functools.cache
def _head_from_files() -> str | None:
    """Return the one revision no migration file names as its ``down_revision``; None unless there is exactly one.

    Read as text, without Alembic: only to recognise an archive that needs no migration.
    """
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text("utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"].strip("\"'"))
        parents.add(found.get("down_revision", "None").strip("\"'"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current(conn: Connection) -> str | None:
    """The archive's schema revision, or None for an empty database."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    versions = list(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))
    if len(versions) > 1:
        raise SchemaError(f"the archive has several schema heads ({', '.join(versions)}): run newsarchive migrate")
    return versions[0] if versions else None


def _lock(conn: Connection) -> None:
    """Take the archive's write lock for the caller's transaction: processes opening a new archive at once take turns."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would begin only at the first write, after the check


def upgrade(conn: Connection) -> tuple[str | None, str]:
    """Bring the archive on ``conn`` to the newest schema; return (revision before, revision after)."""
    found = current(conn)
    if found is not None and found == _head_from_files():
        return found, found
    from alembic import command
    from alembic.script import ScriptDirectory

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
