"""The read-only web app over an archive: HTML pages and a JSON API beside them (``newsarchive serve``)."""

from crawler.web.app import create_app

__all__ = ["create_app"]
