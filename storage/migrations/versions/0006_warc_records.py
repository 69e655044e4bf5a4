"""WARC captures: each sighting points at the response record of its page.

Revision ID: 0006
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warc_records",
        sa.Column("sighting_id", sa.Integer, sa.ForeignKey("sightings.id"), primary_key=True),
        sa.Column("warc_file", sa.Text, nullable=False),
        sa.Column("warc_offset", sa.BigInteger, nullable=False),
        sa.Column("warc_length", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("warc_records")
