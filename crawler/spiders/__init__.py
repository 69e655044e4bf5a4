"""The spiders of newsarchive."""
