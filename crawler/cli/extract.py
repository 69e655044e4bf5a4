"""``newsarchive extract``: saved pages through the crawl's own extraction, one JSON line each."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from w3lib.encoding import html_to_unicode

from crawler import boilerplate
from crawler.boilerplate import BoilerplateConfig
from crawler.cli.common import console, open_archive
from crawler.config import from_settings
from crawler.extraction import Extracted, extract_page
from crawler.run import crawl_settings

SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def page_files(paths: tuple[Path, ...]) -> Iterator[Path]:
    """Yield the given files, and the saved pages under the given folders in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))
        else:
            yield path


def read_page(path: Path) -> str:
    """Return the page saved at ``path`` (gzip-compressed if it ends in .gz) as text, decoded like Scrapy does."""
    body = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"not a gzip file: {exc}") from exc
    return html_to_unicode(None, body)[1]


def page_record(path: Path, outcome: Extracted, text: str | None) -> dict[str, Any]:
    """Return the JSON record of one page: its text and metadata, or the reason there are none."""
    if outcome.article is None:
        return {"path": str(path), "error": outcome.reason, "detail": outcome.detail}
    article, meta = outcome.article, outcome.article.meta
    return {
        "path": str(path), "url": article.url, "title": meta.title, "text": text, "published": meta.published,
        "updated": meta.updated, "authors": list(meta.authors), "language": meta.language,
        "sitename": meta.sitename, "canonical_url": meta.canonical_url, "section": meta.section,
        "tags": list(meta.tags), "image": meta.image, "description": meta.description, "jsonld": list(meta.jsonld),
    }


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--url", help="The URL the pages were fetched from (default: their rel=canonical, else the file's).")
@click.option("--db", help="An archive whose learned furniture (of any site) is removed too.")
def extract(paths: tuple[Path, ...], url: str | None, db: str | None) -> None:
    """Extract saved pages (.html, .html.gz, or folders of them) exactly as a crawl does.

    Prints one JSON line per page: path, title, text and metadata, or the error
    that kept the page from giving an article.
    """
    archive = open_archive(db) if db else None
    settings = crawl_settings(db or "archive.db")
    furniture: set[str] = set()
    if archive:
        config = from_settings(BoilerplateConfig, "BOILERPLATE", settings)
        furniture = archive.furniture(config.min_pages, config.min_ratio)
    failed = 0
    try:
        for path in page_files(paths):
            try:
                outcome = extract_page(read_page(path), url or path.resolve().as_uri(),
                                       max_elements=settings.getint("EXTRACT_MAX_ELEMENTS"))
            except (OSError, ValueError) as exc:
                outcome = Extracted(None, "unreadable", str(exc))
            text = None
            if (article := outcome.article) is not None:
                text = "\n".join(boilerplate.clean(article.lines, furniture, article.headings))
            else:
                failed += 1
                console.print(f"{path}: {outcome.reason}: {outcome.detail}")
            click.echo(json.dumps(page_record(path, outcome, text), ensure_ascii=False))
    finally:
        if archive is not None:
            archive.close()
    if failed:
        console.print(f"{failed} page(s) gave no article")
