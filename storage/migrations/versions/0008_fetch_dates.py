"""Updates by change: the dates each channel gave a URL, and a listing's page number.

A story's sitemap, news sitemap and feed entries and the page itself (JSON-LD
``dateModified``) each give a date, in the site's own clock; a re-crawl fetches
an archived article again when one of them differs from what was recorded here.
``listing_page`` is the number of a paginated listing's page (2, 3…): those are
walked from their first page, never revalidated on their own.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_DATES = ("sitemap_date", "news_date", "feed_date", "page_modified")


def upgrade() -> None:
    with op.batch_alter_table("fetches") as batch:
        for name in _DATES:
            batch.add_column(sa.Column(name, sa.String(64)))
        batch.add_column(sa.Column("listing_page", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("fetches") as batch:
        for name in (*_DATES, "listing_page"):
            batch.drop_column(name)
