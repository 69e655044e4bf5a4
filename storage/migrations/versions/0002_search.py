"""Full-text search over titles and texts: an FTS5 table on SQLite, a GIN index on PostgreSQL.

SQLite: ``stories_fts`` is an external-content FTS5 table over ``stories`` (it
stores only the index), kept in step by triggers, so every writer — crawl,
re-clean, import — updates it in the same transaction.
PostgreSQL: a stored generated tsvector column ``search_document`` (title
weighted above text) with a GIN index; the server keeps it in step. Stored,
not an expression index, so that ranking the matches reads vectors instead of
re-parsing every matching text. It is left out of ``storage.schema`` (SQLite has
no such column); nothing writes it.

Revision ID: 0002
Revises: 0006 (written against 0001; chained after the WARC migration when main was merged)
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0006"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE stories_fts USING fts5("
    "title, text, content='stories', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN "
    "INSERT INTO stories_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN "
    "INSERT INTO stories_fts(stories_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, text ON stories BEGIN "
    "INSERT INTO stories_fts(stories_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO stories_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO stories_fts(stories_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER stories_fts_update",
    "DROP TRIGGER stories_fts_delete",
    "DROP TRIGGER stories_fts_insert",
    "DROP TABLE stories_fts",
]
POSTGRESQL_UP = [
    "ALTER TABLE stories ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, text), 'B')) STORED",
    "CREATE INDEX stories_search ON stories USING gin (search_document)",
]
POSTGRESQL_DOWN = ["DROP INDEX stories_search", "ALTER TABLE stories DROP COLUMN search_document"]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def upgrade() -> None:
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN})
