"""URL canonicalisation and site identity: plain functions, no Scrapy."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote_plus, urlsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url

#: Query parameters that track a click, never name a page: whole names, any case. (courlan's own pattern is
#: looser: it matches inside names, and drops ``cid``, ``gallery``, ``game``… that name articles on real sites.)
_TRACKING = re.compile(
    r"utm_\w*|(?:ga|gs|itm|mc|mkt|ml|mtm|oly|pk|vero)_\w+|_(?:ga|gl|hsenc|hsmi|ke)"
    r"|(?:dc|fbc|gc|twc|yc|ysc)lid|(?:click|gbra|msclk|igsh|wbra)id|gclsrc|mkt_tok|xtor|ocid|icid|ncid"
    r"|ref|ref_?src|ref_url|referr?er|source|(?:php|j)?sessionid",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def canonical_url(url: str) -> str:
    """Return the form of ``url`` under which the archive knows a page (cached: a site's pages link the same URLs).

    Query arguments are sorted, tracking parameters (``utm_*``, ``fbclid``…) and
    fragments dropped, default ports removed and the host lower-cased, so that
    the same article reached through a feed, a sitemap and a shared link is one
    URL. Every other argument stays, even one without a value (``story.php?12345``).
    """
    parts = urlsplit(canonicalize_url(url.strip()))  # w3lib: arguments sorted and quoted one way, no fragment
    query = "&".join(arg for arg in parts.query.split("&") if not _TRACKING.fullmatch(unquote_plus(arg.split("=")[0])))
    # courlan: host, port and path (its query cleaning is left out: it drops arguments that name articles)
    base = normalize_url(parts._replace(query="").geturl(), strict=False)
    return f"{base}?{query}" if query else base


@lru_cache(maxsize=65536)
def site_of(url: str) -> str:
    """Return the site a URL belongs to: its ``host:port`` without ``www.``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = parts.port
    return f"{host}:{port}" if port and port != default else host


def is_http_url(url: object) -> bool:
    """Return True for an absolute http(s) URL with a host: one to crawl, or to show as a link (never ``javascript:``)."""
    return isinstance(url, str) and bool(url) and _is_http_url(url)


@lru_cache(maxsize=65536)
def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
