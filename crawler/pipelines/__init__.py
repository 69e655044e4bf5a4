"""Item pipelines: thin adapters from Scrapy items to the pure core and the archive."""
