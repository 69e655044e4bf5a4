"""Sites by their names: the name each site gives itself (``og:site_name``), and finding a site the way people write it.

An archive keys sites by ``host[:port]`` (no ``www.``, no default port); people name
them as "Daily Ledger", ``ledger.example.com``, ``127.0.0.1:8001`` or a URL of the site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from storage.archive import Archive, ArchiveError
from storage.schema import fetches, sightings, stories


class SiteNotFound(ArchiveError):
    """No site of the archive, or more than one, answers to the name given; the message lists the candidates."""


def site_names(archive: Archive) -> dict[str, str]:
    """Return ``host[:port] -> name``: the ``sitename`` most of a site's stories give (sites without one are left out)."""
    count = sa.func.count().label("n")
    query = (
        sa.select(stories.c.site, stories.c.sitename, count)
        .where(stories.c.sitename.is_not(None), stories.c.sitename != "")
        .group_by(stories.c.site, stories.c.sitename)
        .order_by(stories.c.site, count.desc(), stories.c.sitename)
    )
    names: dict[str, str] = {}
    with archive.engine.connect() as conn:
        for site, name, _ in conn.execute(query):
            if name.strip() and site_key(name) not in (site, site.split(":")[0]):  # a host is no name
                names.setdefault(site, name.strip())
    return names


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
    parts = urlsplit(text if "://" in text else f"http://{text}")
    try:
        port = parts.port
    except ValueError:
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
