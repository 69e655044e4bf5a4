"""Tell a listing's next page from the other links of a page. Plain functions, no Scrapy.

Next pages are not link hops: a years-deep archive is one listing, walked page
by page up to ``LISTING_MAX_PAGES``. A link is a next page when the page says
so (``rel="next"``) or when its URL is the page's own with the page number one
higher: ``/archive/page/4/`` after ``/archive/page/3/``, ``?page=4`` after ``?page=3``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query arguments that number a listing's pages.
PAGE_ARGS = frozenset({"page", "p", "paged", "pg", "pagenum", "page_number"})
_PATH_PAGE = re.compile(r"^(?P<base>.*?/)(?:page/?|p/?)(?P<n>\d+)/?$")


@lru_cache(maxsize=65536)
def listing_position(url: str) -> tuple[str, int]:
    """Return (the URL of the listing's first page, the page number) of ``url`` (cached: every link of a page is asked).

    >>> listing_position("https://n.example/archive/page/4/")
    ('https://n.example/archive/', 4)
    >>> listing_position("https://n.example/section/world/?page=2&sort=new")
    ('https://n.example/section/world/?sort=new', 2)
    >>> listing_position("https://n.example/section/world/")
    ('https://n.example/section/world/', 1)
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    numbered = [(k, v) for k, v in query if k.lower() in PAGE_ARGS and v.isdigit()]
    if numbered:
        rest = [(k, v) for k, v in query if (k, v) not in numbered]
        return urlunsplit(parts._replace(query=urlencode(rest), fragment="")), int(numbered[0][1])
    if match := _PATH_PAGE.match(parts.path):
        return urlunsplit(parts._replace(path=match["base"], fragment="")), int(match["n"])
    return urlunsplit(parts._replace(fragment="")), 1


def is_next_page(page_url: str, link: str) -> bool:
    """Return True if ``link`` is the page after ``page_url`` in the same listing, by their URLs alone.

    >>> is_next_page("https://n.example/archive/", "https://n.example/archive/page/2/")
    True
    >>> is_next_page("https://n.example/archive/page/2/", "https://n.example/section/world/page/3/")
    False
    """
    base, number = listing_position(page_url)
    link_base, link_number = listing_position(link)
    return link_number == number + 1 and link_base == base
