"""Reposts: the outlet a copy credits, and each copy's raw text so that re-cleaning reaches copies too.

Revision ID: 0007
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("credit", sa.Text))
    with op.batch_alter_table("sightings") as batch:
        batch.add_column(sa.Column("raw_text", sa.Text))
        batch.add_column(sa.Column("raw_headings", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("sightings") as batch:
        batch.drop_column("raw_headings")
        batch.drop_column("raw_text")
    # not in batch mode: on SQLite that copies the table and loses its search triggers (0002)
    op.execute("ALTER TABLE stories DROP COLUMN credit")
