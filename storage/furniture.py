"""Site furniture in the archive: how many of a site's pages carried each line, and the lines learned from that.

A line on enough of a site's pages (``min_pages``, and ``min_ratio`` of them) is
the site's furniture (a share bar, a newsletter box); the crawler removes it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.db import upsert
from storage.schema import site_lines, sites


class LineCounts:
    """The pages and lines counted by the writes of one transaction, written together when it ends.

    Written in key order, sites then lines: two transactions counting lines of one site
    never lock its rows in opposite orders (they would wait on each other for good).
    """

    def __init__(self) -> None:
        self.pages: dict[str, int] = {}
        #: (site, line key) -> [line, pages]
        self.lines: dict[tuple[str, str], list[Any]] = {}

    def add(self, site: str, lines: dict[str, str]) -> None:
        """Count one more page of ``site``, and one more page for each of its ``lines`` (line key -> line)."""
        self.pages[site] = self.pages.get(site, 0) + 1
        for key, line in lines.items():
            self.lines.setdefault((site, key), [line, 0])[1] += 1

    def write(self, conn: Connection) -> None:
        """Add the counts to the archive's, in one statement for the sites and one for the lines."""
        if not self.pages:
            return
        count_pages, count_lines = _line_counts(conn.dialect.name)
        conn.execute(count_pages, [{"site": site, "pages": n} for site, n in sorted(self.pages.items())])
        if self.lines:
            rows = [
                {"site": site, "line_key": key, "line": line, "pages": n}
                for (site, key), (line, n) in sorted(self.lines.items())
            ]
            conn.execute(count_lines, rows)


def learned_lines(conn: Connection, site: str, min_pages: int, min_ratio: float) -> set[str]:
    """Return the keys of lines seen on at least ``min_pages`` and ``min_ratio`` of ``site``'s pages."""
    total = conn.scalar(sa.select(sites.c.pages).where(sites.c.site == site)) or 0
    needed = max(min_pages, min_ratio * total)
    query = sa.select(site_lines.c.line_key).where(site_lines.c.site == site, site_lines.c.pages >= needed)
    return set(conn.scalars(query))


def furniture(conn: Connection, min_pages: int, min_ratio: float) -> set[str]:
    """Return the keys of every site's learned lines: what is furniture on one site is furniture on all.

    Each line is learned on its own site's pages (``learned_lines``); a line on
    many sites' pages but few of each (a syndicated paragraph) is not learned.
    """
    query = (
        sa.select(site_lines.c.line_key)
        .join(sites, sites.c.site == site_lines.c.site)
        .where(site_lines.c.pages >= min_pages, site_lines.c.pages >= min_ratio * sites.c.pages)
        .distinct()
    )
    return set(conn.scalars(query))


@lru_cache(maxsize=2)
def _line_counts(dialect: str) -> tuple[Any, Any]:
    """Return the upserts adding pages of sites and of the lines on them, built once per dialect."""
    page = upsert(sites, dialect)
    page = page.on_conflict_do_update(index_elements=["site"], set_={"pages": sites.c.pages + page.excluded.pages})
    lines = upsert(site_lines, dialect)
    lines = lines.on_conflict_do_update(
        index_elements=["site", "line_key"], set_={"pages": site_lines.c.pages + lines.excluded.pages}
    )
    return page, lines
