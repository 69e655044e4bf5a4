"""What each site is called: the name sites.toml gave it, else the name its own pages give (og:site_name).

Sites are keyed by ``host[:port]`` everywhere in the archive; this is the label shown beside that key.
"""

from __future__ import annotations

import sqlalchemy as sa

from storage.archive import Archive
from storage.schema import fetches, runs, stories


def site_labels(archive: Archive) -> dict[str, str]:
    """Return ``{host[:port]: name}`` for every site whose name the archive knows.

    A scheduled crawl records its run under the site's sites.toml name; a run that fetched from one
    site only names it. Otherwise the ``sitename`` most of the site's stories carry names it.
    """
    with archive.engine.connect() as conn:
        labels = _own_names(conn)
        labels |= _configured_names(conn)
    return labels


def _own_names(conn: sa.Connection) -> dict[str, str]:
    """Return the most common non-empty ``sitename`` of each site's stories (ties: the first in order)."""
    query = (
        sa.select(stories.c.site, stories.c.sitename, sa.func.count().label("n"))
        .where(stories.c.sitename.is_not(None), stories.c.sitename != "")
        .group_by(stories.c.site, stories.c.sitename)
        .order_by(stories.c.site, sa.desc("n"), stories.c.sitename)
    )
    found: dict[str, str] = {}
    for site, name, _ in conn.execute(query):
        found.setdefault(site, name.strip())
    return found


def _configured_names(conn: sa.Connection) -> dict[str, str]:
    """Return the run name of each site crawled on its own under a name (the newest such run wins)."""
    one_site = (
        sa.select(fetches.c.run_id, sa.func.min(fetches.c.site).label("site"))
        .where(fetches.c.run_id.is_not(None))
        .group_by(fetches.c.run_id)
        .having(sa.func.count(sa.distinct(fetches.c.site)) == 1)
        .subquery()
    )
    query = (
        sa.select(one_site.c.site, runs.c.site)
        .join(runs, runs.c.id == one_site.c.run_id)
        .where(runs.c.site != one_site.c.site)
        .order_by(runs.c.id)
    )
    return {site: name for site, name in conn.execute(query)}


def labelled(site: str, labels: dict[str, str]) -> str:
    """Return ``Name (host:port)`` when the site has a name other than its key, else the key."""
    name = labels.get(site)
    return f"{name} ({site})" if name and name != site else site
