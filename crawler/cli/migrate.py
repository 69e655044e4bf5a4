"""``newsarchive migrate``: bring an archive to this newsarchive's schema."""

from __future__ import annotations

import click

from crawler.cli.common import Failure, console, db_option


@click.command()
@db_option
def migrate(db: str) -> None:
    """Apply the schema migrations this archive lacks (a new archive is created)."""
    import sqlalchemy as sa

    from storage import archive_url, schema_version

    engine = sa.create_engine(archive_url(db))
    try:
        with engine.begin() as conn:
            before, after = schema_version.upgrade(conn)
    except (sa.exc.SQLAlchemyError, schema_version.SchemaError) as exc:
        raise Failure(f"cannot migrate {db}: {getattr(exc, 'orig', None) or exc}") from exc
    finally:
        engine.dispose()
    if before == after:
        console.print(f"{db} is up to date (schema {after})")
    else:
        console.print(f"{db}: schema {before or 'none'} -> {after}")
