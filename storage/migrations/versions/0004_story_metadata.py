"""Story metadata beyond the basics: authors, updated date, canonical URL, section, tags, image,
description, JSON-LD, and the subhead lines of the raw text (for re-cleaning).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = [
    ("authors", sa.Text),
    ("updated", sa.String(32)),
    ("canonical_url", sa.Text),
    ("section", sa.Text),
    ("tags", sa.Text),
    ("image", sa.Text),
    ("description", sa.Text),
    ("jsonld", sa.Text),
    ("raw_headings", sa.Text),
]


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
