"""``newsarchive search``: find archived stories by the words of their titles and texts."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

import click

from crawler.cli.common import Failure, console, db_option, open_archive, plural, resolve_site, selection_options

if TYPE_CHECKING:
    from rich.text import Text

    from storage.read.search import SearchHit
    from storage.selection import Selection


@click.command()
@click.argument("query")
@db_option
@selection_options
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most this many stories."
)
def search(query: str, db: str, selection: Selection, limit: int) -> None:
    """Show the stories matching every word of QUERY, best first, with a snippet."""
    from rich.console import Console

    from storage.read.search import QueryTooLong
    from storage.read.search import search as run_search
    from storage.read.site_names import labelled, site_names

    with open_archive(db) as archive:
        selection = dataclasses.replace(selection, site=resolve_site(archive, selection.site))
        try:
            hits = run_search(archive, query, selection, limit)
        except QueryTooLong as exc:
            raise Failure(str(exc)) from exc
        names = site_names(archive) if hits else {}
    out = Console(soft_wrap=True, highlight=False)
    for rank, hit in enumerate(hits, 1):
        out.print(_render(rank, hit, labelled(hit.site, names)))
    console.print(f"{plural(len(hits), 'story', 'stories')} found")


def _render(rank: int, hit: SearchHit, site: str) -> Text:
    """Return one hit: rank and title, URL, site and date, the snippet with its matches in bold."""
    from rich.text import Text

    from storage.read.search import MARK_END, MARK_START

    marked = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)
    text = Text(f"{rank}. ", style="bold")
    text.append(hit.title or hit.url, style="bold")
    text.append(f"  ({hit.score:.3g})\n   {hit.url}\n   {site} · {hit.published or 'undated'}\n   ", style="dim")
    position = 0
    snippet = " ".join(hit.snippet.split())
    for match in marked.finditer(snippet):
        text.append(snippet[position : match.start()])
        text.append(match.group(1), style="bold yellow")
        position = match.end()
    text.append(snippet[position:] + "\n")
    return text
