"""``newsarchive show URL``: one archived story, or with ``--raw`` the HTTP response recorded for it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from crawler.cli.common import db_option, open_archive

if TYPE_CHECKING:
    from storage import Archive
    from storage.warc import WarcLocation


@click.command()
@click.argument("url")
@db_option
@click.option("--raw", is_flag=True, help="Print the raw HTTP response recorded in the WARC file instead.")
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, exists=True),
    help="Read the WARC file from this folder (the archive stores where it was written; use this if it moved).",
)
def show(url: str, db: str, raw: bool, warc_dir: str | None) -> None:
    """Show the story archived at URL (its own URL or a duplicate's): metadata, text and duplicates."""
    from storage.warc import read_http_response

    with open_archive(db) as archive:
        found = _find(archive, url)
        if found is None:
            raise click.ClickException(f"{url} is not in the archive {db}")
        location = archive.capture_of(found[0])
    if location is not None and warc_dir:
        location = location.moved_to(warc_dir)
    if not raw:
        _print_story(found[0], found[1], location)
        return
    if location is None:
        raise click.ClickException(f"no WARC record of {found[0]}: it was archived without one")
    try:
        data = read_http_response(location)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read the WARC record of {found[0]}: {exc}") from exc
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _find(archive: Archive, url: str) -> tuple[str, dict[str, Any]] | None:
    """Return (URL, story) of the story at ``url`` as given, else as the crawl stores URLs (canonical form)."""
    if (story := archive.story_at(url)) is not None:
        return url, story
    from crawler.urls import canonical_url  # courlan: imported only when the URL is not found as given

    canonical = canonical_url(url)
    return (canonical, story) if canonical != url and (story := archive.story_at(canonical)) is not None else None


def _print_story(url: str, story: dict[str, Any], location: WarcLocation | None) -> None:
    """Print the story as plain lines: URLs are never cut to the terminal's width; first_seen in UTC, as export gives it."""
    from rich.console import Console
    from rich.markup import escape

    from storage.exchange.export import iso

    console = Console(soft_wrap=True)
    console.print(f"[bold]{escape(story['title'] or '(no title)')}[/bold]")
    for name in ("url", "site", "author", "published", "language", "sitename"):
        console.print(f"{name}: {story[name] or ''}", markup=False, highlight=False)
    console.print(f"first_seen: {iso(story['first_seen'])}", markup=False, highlight=False)
    if story.get("incomplete"):
        console.print("incomplete: the page ended mid-document when fetched; the next crawl fetches it again")
    if location is not None:
        console.print(f"raw capture: {location.path} offset {location.offset} length {location.length}", markup=False)
    console.print()
    console.print(story["text"], markup=False, highlight=False)
    if story["duplicates"]:
        console.print("\n[bold]also found at[/bold] (similarity)")
        for dup in story["duplicates"]:
            console.print(f"{dup['similarity']:.2f}  {dup['url']}  ({dup['site']})", markup=False, highlight=False)
