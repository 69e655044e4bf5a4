"""Scrapy middlewares of the newsarchive crawler."""
