"""Clusters with provenance: each copy's publication date and text; sightings indexed by site and time.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sightings") as batch:
        batch.add_column(sa.Column("published", sa.String(32)))
        batch.add_column(sa.Column("text", sa.Text))
    op.create_index("ix_sightings_site", "sightings", ["site"])
    op.create_index("ix_sightings_seen", "sightings", ["seen"])


def downgrade() -> None:
    op.drop_index("ix_sightings_seen", "sightings")
    op.drop_index("ix_sightings_site", "sightings")
    with op.batch_alter_table("sightings") as batch:
        batch.drop_column("text")
        batch.drop_column("published")
