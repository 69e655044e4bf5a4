"""newsarchive's Scrapy project and its pure core (urls, extraction, boilerplate, dedup)."""

__version__ = "0.1.0"
