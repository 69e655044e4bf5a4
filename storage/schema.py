"""Tables of the archive, in SQLAlchemy Core so that SQLite and PostgreSQL share them.

This is the schema as of the newest migration; a change here needs a migration in
``storage/migrations/versions`` too (``newsarchive migrate`` applies it).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: Key/value facts about the archive itself: schema version, dedup index parameters.
meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: One row per story: its canonical copy, clean text and the raw extracted lines.
#: Search indexes live beside it, per backend (migration 0002): the FTS5 table ``stories_fts`` on
#: SQLite; on PostgreSQL the generated column ``search_document``, left out here as SQLite lacks it.
stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("site", sa.String(255), nullable=False, index=True),
    sa.Column("title", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("published", sa.String(32)),
    sa.Column("language", sa.String(16)),
    sa.Column("sitename", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("raw_text", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    # metadata beyond the basics (migration 0004); lists and JSON-LD as JSON text
    sa.Column("authors", sa.Text),
    sa.Column("updated", sa.String(32)),
    sa.Column("canonical_url", sa.Text),
    sa.Column("section", sa.Text),
    sa.Column("tags", sa.Text),
    sa.Column("image", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("jsonld", sa.Text),
    #: indexes of the subhead lines of raw_text, as JSON: re-cleaning keeps subheads over paragraphs
    sa.Column("raw_headings", sa.Text),
    #: the other outlet this copy credits as its source (migration 0007): the original credits none
    sa.Column("credit", sa.Text),
    #: the page ended mid-document when fetched (migration 0011): fetched again until a whole copy replaces it
    sa.Column("incomplete", sa.Boolean, nullable=False, server_default=sa.false()),
)

#: Every URL where a story was found, its canonical copy included (match 'original').
sightings = sa.Table(
    "sightings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False, index=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("site", sa.String(255), nullable=False, index=True),
    sa.Column("title", sa.Text),
    sa.Column("match", sa.String(16), nullable=False),
    sa.Column("similarity", sa.Float, nullable=False),
    sa.Column("containment", sa.Float, nullable=False),
    sa.Column("seen", sa.DateTime(timezone=True), nullable=False, index=True),
    # the copy's own publication date and text (NULL for the canonical copy, whose text is the story's)
    sa.Column("published", sa.String(32)),
    sa.Column("text", sa.Text),
    # the copy's extracted text before furniture removal and its subhead lines (migration 0007): re-cleaned as the story's are
    sa.Column("raw_text", sa.Text),
    sa.Column("raw_headings", sa.Text),
)

#: The dedup index: a story is in one bucket per LSH band, and under each of its anchor shingles (band -1).
lsh_buckets = sa.Table(
    "lsh_buckets",
    metadata,
    sa.Column("band", sa.SmallInteger, primary_key=True),
    sa.Column("bucket", sa.BigInteger, primary_key=True),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), primary_key=True),
)

#: How many article pages each site has shown us: the denominator of boilerplate learning.
sites = sa.Table(
    "sites",
    metadata,
    sa.Column("site", sa.String(255), primary_key=True),
    sa.Column("pages", sa.Integer, nullable=False),
)

#: On how many of a site's pages each short line appeared.
site_lines = sa.Table(
    "site_lines",
    metadata,
    sa.Column("site", sa.String(255), primary_key=True),
    sa.Column("line_key", sa.String(16), primary_key=True),
    sa.Column("line", sa.Text, nullable=False),
    # indexed: the furniture of every site is read as the few lines on many pages
    sa.Column("pages", sa.Integer, nullable=False, index=True),
)

#: Every crawl run: when, which site(s), its counts and how it ended (no end: still running, or killed).
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site", sa.Text, nullable=False),
    sa.Column("started", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished", sa.DateTime(timezone=True)),
    sa.Column("finish_reason", sa.String(64)),
    sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
    sa.Column("new_stories", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    sa.Column("new_versions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
    sa.Column("errors_by_kind", sa.Text, nullable=False, server_default="{}"),
    #: what the run left out and why, as JSON (migration 0011): not HTML, too large, a redirect loop…
    sa.Column("skipped_by_kind", sa.Text, nullable=False, server_default="{}"),
)

#: The fetch log: every URL fetched (canonical form), the validators of its last response and what became of it.
fetches = sa.Table(
    "fetches",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("site", sa.String(255), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.SmallInteger),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.String(64)),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("first_fetched", sa.DateTime(timezone=True), nullable=False),
    sa.Column("fetched", sa.DateTime(timezone=True), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), index=True),
    # the dates the URL's sitemap, news sitemap and feed entries and the page itself gave (migration 0008)
    sa.Column("sitemap_date", sa.String(64)),
    sa.Column("news_date", sa.String(64)),
    sa.Column("feed_date", sa.String(64)),
    sa.Column("page_modified", sa.String(64)),
    #: the number of a paginated listing's page, from 2 (NULL: not a next page)
    sa.Column("listing_page", sa.Integer),
)

#: Earlier texts of stories that changed: ``stories`` holds the latest, these the ones it replaced.
story_versions = sa.Table(
    "story_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("published", sa.String(32)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("raw_text", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("replaced", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("story_id", "version"),
)

#: Where the raw capture of a sighting's page is: its response record in a WARC file.
warc_records = sa.Table(
    "warc_records",
    metadata,
    sa.Column("sighting_id", sa.Integer, sa.ForeignKey("sightings.id"), primary_key=True),
    sa.Column("warc_file", sa.Text, nullable=False),
    sa.Column("warc_offset", sa.BigInteger, nullable=False),
    sa.Column("warc_length", sa.BigInteger, nullable=False),
)

#: How extraction went on each site in each run (migration 0009): the numbers that show a site's layout drifting.
site_health = sa.Table(
    "site_health",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("site", sa.String(255), primary_key=True, index=True),
    #: article pages extracted: pages with a story's URL (or listed by a sitemap or feed) and not known before
    sa.Column("pages", sa.Integer, nullable=False),
    #: of them, the ones that gave an article (passed the crawl's article test)
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("median_words", sa.Integer),
    sa.Column("with_title", sa.Integer, nullable=False),
    sa.Column("with_date", sa.Integer, nullable=False),
    sa.Column("with_author", sa.Integer, nullable=False),
    #: the site's learned furniture (line keys, JSON) when the run ended
    sa.Column("furniture", sa.Text, nullable=False),
    #: share of that furniture new or gone since the site's previous run (Jaccard distance); NULL: no previous run
    sa.Column("furniture_change", sa.Float),
    #: examples, JSON: [[url, why], …] of pages that gave no article, [url, …] of the shortest articles
    sa.Column("failures", sa.Text, nullable=False),
    sa.Column("shortest", sa.Text, nullable=False),
)
