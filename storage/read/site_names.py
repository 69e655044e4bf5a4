"""Sites by their names: the name each site gives itself (``og:site_name``), and finding a site the way people write it.

An archive keys sites by ``host[:port]`` (no ``www.``, no default port); people name
them as "Daily Ledger", ``ledger.example.com``, ``127.0.0.1:8001`` or a URL of the site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from storage.archive import Archive
from storage.db import ArchiveError
from storage.schema import fetches, runs, sightings, stories


class SiteNotFound(ArchiveError):
    """No site of the archive, or more than one, answers to the name given; the message lists the candidates."""


def site_names(archive: Archive) -> dict[str, str]:
    """Return ``host[:port] -> name`` for every site whose name the archive knows (the others are left out).

    A scheduled crawl records its run under the site's sites.toml name, which wins; otherwise the
    ``sitename`` (``og:site_name``) most of the site's stories give, when it is not just a host.
    """
    with archive.engine.connect() as conn:
        return _own_names(conn) | _configured_names(conn)


def _own_names(conn: sa.Connection) -> dict[str, str]:
    """Return the most common ``sitename`` of each site's stories that is a name, not a host."""
    count = sa.func.count().label("n")
    query = (
        sa.select(stories.c.site, stories.c.sitename, count)
        .where(stories.c.sitename.is_not(None), stories.c.sitename != "")
        .group_by(stories.c.site, stories.c.sitename)
        .order_by(stories.c.site, count.desc(), stories.c.sitename)
    )
    names: dict[str, str] = {}
    for site, name, _ in conn.execute(query):
        if name.strip() and site_key(name) not in (site, site.split(":")[0]):  # a host is no name
            names.setdefault(site, name.strip())
    return names


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


def known_sites(archive: Archive) -> list[str]:
    """Return every site the archive holds a page of or has fetched from, sorted."""
    with archive.engine.connect() as conn:
        found = set(conn.scalars(sa.select(sightings.c.site).distinct()))
        found |= set(conn.scalars(sa.select(fetches.c.site).distinct()))
    return sorted(found)


def labelled(site: str, names: dict[str, str], sep: str = ", ") -> str:
    """Return ``Name (host:port)`` for a site with a name, else ``host:port``; a list ``a, b`` site by site.

    A run of several sites is recorded under ``host:port, host:port``; a scheduled run under the site's name.
    """
    parts = (part.strip() for part in site.split(","))
    return sep.join(f"{names[s]} ({s})" if s in names else s for s in parts)


def site_key(given: str) -> str:
    """Return the ``host[:port]`` a URL, host or host:port names, as the archive keys sites.

    >>> site_key("https://www.Ledger.example.com/world/story.html"), site_key("127.0.0.1:8001")
    ('ledger.example.com', '127.0.0.1:8001')
    """
    text = given.strip()
    try:
        parts = urlsplit(text if "://" in text else f"http://{text}")
        port = parts.port
    except ValueError:  # no host: a bad port, or brackets that hold no IPv6 address ("[Wire] News")
        return text.lower()
    host = (parts.hostname or "").removeprefix("www.")
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{host}:{port}" if port and port != default else host


def find_site(archive: Archive, given: str) -> str:
    """Return the archive's site that ``given`` names: a host:port, a URL of it, its name, or a host with one port.

    Raises SiteNotFound, listing the archive's sites, when none or several match.
    """
    sites = known_sites(archive)
    names = site_names(archive)
    key = site_key(given)
    if key in sites:
        return key
    by_name = [site for site, name in names.items() if name.casefold() == given.strip().casefold()]
    by_host = [site for site in sites if site.split(":")[0] == key]
    matches = by_name or by_host
    if len(matches) == 1:
        return matches[0]
    listed = "; ".join(labelled(site, names) for site in (matches or sites)) or "none"
    if matches:
        raise SiteNotFound(f"{given!r} matches several sites: {listed}")
    raise SiteNotFound(f"no site {given!r} in the archive; its sites: {listed}")
