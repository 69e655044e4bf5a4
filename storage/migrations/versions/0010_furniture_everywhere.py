"""Furniture removed everywhere: every site's learned lines are read at once.

The index on ``site_lines.pages`` keeps the read of every site's learned lines
(removed on all sites) to the few that recur. (Copies' raw text, which
re-cleaning needs, came with 0007.)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_site_lines_pages", "site_lines", ["pages"])


def downgrade() -> None:
    op.drop_index("ix_site_lines_pages", table_name="site_lines")
