"""``newsarchive extract``: saved pages through the crawl's own extraction, one JSON line each."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crawler.cli.common import console, open_archive, plural

if TYPE_CHECKING:
    from crawler.extract.article import Article, Extracted

SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
#: An element every HTML page has one of; a file with none is text, not a page.
_MARKUP = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|article|main|div|p|title)\b", re.IGNORECASE)


def page_files(paths: tuple[Path, ...]) -> Iterator[Path]:
    """Yield the given files, and the saved pages under the given folders in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))
        else:
            yield path


def read_page(path: Path) -> str:
    """Return the page saved at ``path`` (gzip-compressed if it ends in .gz) as text, decoded like Scrapy does."""
    from w3lib.encoding import html_to_unicode

    body = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"not a gzip file: {exc}") from exc
    return html_to_unicode(None, body)[1]


def not_article(article: Article, url: str, min_words: int) -> str | None:
    """Return why a crawl would not archive this page (``crawler.extract.page_kind``'s test), or None for an article.

    A page known only by its file name is judged by its length and declared type: its URL cannot say.
    """
    from crawler.extract.page_kind import ARTICLE_TYPES, PageSignals, not_article_reason
    from crawler.urls import is_http_url

    if is_http_url(url):
        return not_article_reason(PageSignals(url, article.page_type, article.word_count), min_words)
    if article.word_count < min_words:
        return "too_short"
    return "page_type" if article.page_type and article.page_type not in ARTICLE_TYPES else None


#: What each reason of :func:`not_article` means, for the line on stderr.
NOT_ARTICLE = {
    "too_short": "fewer words than ARTICLE_MIN_WORDS={min_words}: not an article",
    "page_type": "its declared type ({page_type}) is not an article's: a listing or a site page",
    "listing_url": "its URL ({url}) is a home page's or a listing's (tag, section, author, search, archive, next page)",
    "url_shape": "its URL ({url}) has no story shape (no slug, no story number): a listing page",
}


def page_record(path: Path, outcome: Extracted, text: str | None) -> dict[str, Any]:
    """Return the JSON record of one page: its text and metadata, or the reason there are none."""
    if outcome.article is None:
        return {"path": str(path), "error": outcome.reason, "detail": outcome.detail}
    article, meta = outcome.article, outcome.article.meta
    return {
        "path": str(path),
        "url": article.url,
        "title": meta.title,
        "text": text,
        "published": meta.published,
        "updated": meta.updated,
        "authors": list(meta.authors),
        "language": meta.language,
        "sitename": meta.sitename,
        "canonical_url": meta.canonical_url,
        "section": meta.section,
        "tags": list(meta.tags),
        "image": meta.image,
        "description": meta.description,
        "jsonld": list(meta.jsonld),
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
    from crawler.config import from_settings
    from crawler.extract.furniture import BoilerplateConfig, clean
    from crawler.run import crawl_settings

    archive = open_archive(db) if db else None
    settings = crawl_settings(db or "archive.db")
    min_words = settings.getint("ARTICLE_MIN_WORDS")
    furniture: set[str] = set()
    if archive:
        config = from_settings(BoilerplateConfig, "BOILERPLATE", settings)
        furniture = archive.furniture(config.min_pages, config.min_ratio)
    failed = 0
    try:
        for path in page_files(paths):
            outcome = _extract(path, url, settings.getint("EXTRACT_MAX_ELEMENTS"), min_words)
            text = None
            if (article := outcome.article) is not None:
                text = "\n".join(clean(article.lines, furniture, article.headings))
            else:
                failed += 1
                console.print(f"{path}: {outcome.reason}: {outcome.detail}", markup=False)
            click.echo(json.dumps(page_record(path, outcome, text), ensure_ascii=False))
    finally:
        if archive is not None:
            archive.close()
    if failed:
        console.print(f"{plural(failed, 'page')} gave no article")


def _extract(path: Path, url: str | None, max_elements: int, min_words: int) -> Extracted:
    """Return the page's article as a crawl would archive it, or why a crawl would archive none."""
    from crawler.extract.article import Extracted, extract_page

    try:
        html = read_page(path)
    except (OSError, ValueError) as exc:
        return Extracted(None, "unreadable", str(exc))
    if html.strip() and not _MARKUP.search(html):
        return Extracted(None, "not_html", "no HTML markup: a plain-text file, not a page")
    outcome = extract_page(html, url or path.resolve().as_uri(), max_elements=max_elements)
    if (article := outcome.article) is None:
        return outcome
    page_url = url or article.url
    if reason := not_article(article, page_url, min_words):
        detail = NOT_ARTICLE[reason].format(min_words=min_words, page_type=article.page_type, url=page_url)
        return Extracted(None, f"not_article/{reason}", detail)
    return outcome
