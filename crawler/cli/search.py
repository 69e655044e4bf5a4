"""``newsarchive search``: find archived stories by the words of their titles and texts."""

from __future__ import annotations

import re

import click
from rich.console import Console
from rich.text import Text

from crawler.cli.common import console, db_option, open_archive, selection_options
from storage.search import MARK_END, MARK_START, SearchHit
from storage.search import search as run_search
from storage.selection import Selection

_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


@click.command()
@click.argument("query")
@db_option
@selection_options
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most this many stories.")
def search(query: str, db: str, selection: Selection, limit: int) -> None:
    """Show the stories matching every word of QUERY, best first, with a snippet."""
    with open_archive(db) as archive:
        hits = run_search(archive, query, selection, limit)
    out = Console(soft_wrap=True, highlight=False)
    for rank, hit in enumerate(hits, 1):
        out.print(_render(rank, hit))
    console.print(f"{len(hits)} {'story' if len(hits) == 1 else 'stories'} found")


def _render(rank: int, hit: SearchHit) -> Text:
    """Return one hit: rank and title, URL, site and date, the snippet with its matches in bold."""
    text = Text(f"{rank}. ", style="bold")
    text.append(hit.title or hit.url, style="bold")
    text.append(f"  ({hit.score:.3g})\n   {hit.url}\n   {hit.site} · {hit.published or 'undated'}\n   ", style="dim")
    position = 0
    snippet = " ".join(hit.snippet.split())
    for match in _MARKED.finditer(snippet):
        text.append(snippet[position : match.start()])
        text.append(match.group(1), style="bold yellow")
        position = match.end()
    text.append(snippet[position:] + "\n")
    return text
