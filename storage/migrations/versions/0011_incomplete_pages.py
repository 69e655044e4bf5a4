"""Pages cut short, and what a run skipped.

``stories.incomplete``: the page the story was archived from ended mid-document
(a whole-looking response whose HTML stops before its end); the next crawl
fetches it again and a whole copy replaces it as a new version.
``runs.skipped_by_kind``: what the run left out and why (not HTML, too large,
a redirect loop…), as JSON, beside ``errors_by_kind``.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ALTER TABLE ADD COLUMN on both backends: a batch copy of ``stories`` would drop its search triggers
    op.add_column("stories", sa.Column("incomplete", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("runs", sa.Column("skipped_by_kind", sa.Text, nullable=False, server_default="{}"))


def downgrade() -> None:
    op.execute("ALTER TABLE runs DROP COLUMN skipped_by_kind")
    # not in batch mode: on SQLite that copies the table and loses its search triggers (0002)
    op.execute("ALTER TABLE stories DROP COLUMN incomplete")
