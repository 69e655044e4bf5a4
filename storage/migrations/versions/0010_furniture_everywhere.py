"""Furniture removed everywhere: copies keep their raw text, and every site's furniture is read at once.

``sightings.raw_text`` and ``raw_headings`` hold a kept copy's text before
furniture removal, so re-cleaning (when a site's furniture is learned later)
reaches copies as it reaches stories. The index on ``site_lines.pages`` keeps
the read of every site's learned lines (removed on all sites) to the few that recur.

Revision ID: 0010
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sightings") as batch:
        batch.add_column(sa.Column("raw_text", sa.Text))
        batch.add_column(sa.Column("raw_headings", sa.Text))
    op.create_index("ix_site_lines_pages", "site_lines", ["pages"])


def downgrade() -> None:
    op.drop_index("ix_site_lines_pages", table_name="site_lines")
    with op.batch_alter_table("sightings") as batch:
        batch.drop_column("raw_headings")
        batch.drop_column("raw_text")
