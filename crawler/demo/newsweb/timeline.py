"""A site's past as crawlers meet it: a deep paginated archive and dates in the site's own clock.

- The archive (``Site.archive``): every story, newest first, ``per_page`` a page,
  linked from every page's footer; the oldest stories (``Site.deep``) are on no
  other listing, in no sitemap or feed: from page 4 on, only the archive reaches them.
- The site's clock (``Site.clock``, a UTC offset such as ``+09:00``): sitemaps and
  feeds date entries to the day, at midnight in the site's zone, as many CMSs do;
  an edit dated in the past (``Story.updated``) is earlier than any crawler's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

from crawler.demo.newsweb import listings

if TYPE_CHECKING:
    from crawler.demo.newsweb.site import Site, Story
    from crawler.demo.newsweb.themes import Theme

ARCHIVE = "/archive/"
_FOOTER_LINK = f'<div class="site-footer-links"><a href="{ARCHIVE}">Archive</a></div>'


def archive_pages(site: Site, theme: Theme, stories: list[Story]) -> dict[str, str]:
    """Return the pages of the site's archive of ``stories`` (newest first): path -> HTML."""
    return listings.paginated(site, theme, ARCHIVE, f"{site.name} archive", stories)


def with_archive_link(html: str) -> str:
    """Return ``html`` with the archive linked at the foot of its body, where sites link it."""
    head, sep, tail = html.rpartition("</body>")
    return head + _FOOTER_LINK + sep + tail if sep else html


def _moment(text: str, clock: str) -> datetime:
    """Return the day of an ISO date or date-time, at midnight in the zone ``clock`` (``+09:00``; empty: UTC)."""
    day = text[:10]
    return datetime.fromisoformat(f"{day}T00:00:00{clock or '+00:00'}")


def w3c_date(text: str, clock: str) -> str:
    """Return a sitemap / Atom date of ``text`` in the site's clock: the bare day in UTC sites, else midnight with the offset.

    >>> w3c_date("2026-11-20", "+09:00"), w3c_date("2026-11-20T15:00:00+00:00", "")
    ('2026-11-20T00:00:00+09:00', '2026-11-20')
    """
    return _moment(text, clock).isoformat() if clock else text[:10]


def rss_date(text: str, clock: str) -> str:
    """Return an RSS (RFC 822) date of ``text`` in the site's clock, to the day.

    >>> rss_date("2026-11-20", "-05:00")
    'Fri, 20 Nov 2026 00:00:00 -0500'
    """
    moment = _moment(text, clock)
    return format_datetime(moment, usegmt=moment.utcoffset() == UTC.utcoffset(None) and not clock)
