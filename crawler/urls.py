"""URL canonicalisation and site identity: plain functions, no Scrapy."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url


@lru_cache(maxsize=65536)
@lru_cache(maxsize=65536)
def canonical_url(url: str) -> str:
    """Return the form of ``url`` under which the archive knows a page (cached: a site's pages link the same URLs).

    Query arguments are sorted, tracking parameters (``utm_*``, ``fbclid``…) and
    fragments dropped, default ports removed and the host lower-cased, so that
    the same article reached through a feed, a sitemap and a shared link is one
    URL.
    """
    return normalize_url(canonicalize_url(url.strip()), strict=False)


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
