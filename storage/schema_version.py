"""Versioned schema migrations with Alembic: bring an archive to this tool's schema, refuse a newer one."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).with_name("migrations")

#: Archives written before migrations existed carry this table and no alembic_version.
_PRE_ALEMBIC_TABLE = "stories"
_PRE_ALEMBIC_REVISION = "0001"


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


def upgrade(conn: Connection) -> tuple[str | None, str]:
    """Bring the archive on ``conn`` to the newest schema; return (revision before, revision after)."""
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
