"""Downloader and spider middlewares: the fetch log, conditional GET, skipping known articles."""
