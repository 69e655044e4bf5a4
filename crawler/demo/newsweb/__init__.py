"""A small news web served on loopback: sites, themes and reposted stories.

It backs ``newsarchive demo`` and the test suite: real HTTP, real robots.txt,
sitemaps and feeds, each site with its own furniture, so the crawler meets
what it meets on the web without leaving 127.0.0.1.
"""

from crawler.demo.newsweb.server import NewsWeb
from crawler.demo.newsweb.site import Site, Story, edited

__all__ = ["NewsWeb", "Site", "Story", "edited"]
