"""Extraction functions that fail the way a worker can: die, hang. Tests load them by EXTRACT_FUNCTION."""

from __future__ import annotations

import os
import time

from crawler.extract.article import Extracted, extract_page

#: URL fragments of the pages that kill or hang the worker extracting them.
DIES_ON = "investigating"
HANGS_ON = "titan"


def die_or_hang(html: str, url: str, **options: int) -> Extracted:
    """Extract like the crawl, except on the two pages chosen to kill or hang their worker."""
    if DIES_ON in url:
        os._exit(3)  # as a segfault in a C extension would
    if HANGS_ON in url:
        time.sleep(3600)
    return extract_page(html, url, **options)
