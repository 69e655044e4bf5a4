"""Scrapy middlewares of the newsarchive crawler: the fetch log, conditional GET, skipping known articles, WARC locations."""
