"""Extraction health per site and run: yield, median words, metadata shares, learned furniture.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_health",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("site", sa.String(255), primary_key=True),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("median_words", sa.Integer),
        sa.Column("with_title", sa.Integer, nullable=False),
        sa.Column("with_date", sa.Integer, nullable=False),
        sa.Column("with_author", sa.Integer, nullable=False),
        sa.Column("furniture", sa.Text, nullable=False),
        sa.Column("furniture_change", sa.Float),
        sa.Column("failures", sa.Text, nullable=False),
        sa.Column("shortest", sa.Text, nullable=False),
    )
    op.create_index("ix_site_health_site", "site_health", ["site"])


def downgrade() -> None:
    op.drop_index("ix_site_health_site", "site_health")
    op.drop_table("site_health")
