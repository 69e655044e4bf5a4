"""``newsarchive duplicates``: the stories that ran in more than one place, biggest clusters first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from crawler.cli.common import db_option, open_archive, plural, resolve_site

if TYPE_CHECKING:
    from rich.console import Console

    from storage.read.clusters import Cluster


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date or date-time: {value!r}", param_hint="--since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _print(console: Console, cluster: Cluster, names: dict[str, str]) -> None:
    from rich.markup import escape

    from storage.read.site_names import labelled

    canonical = cluster.copies[0]
    console.print(
        f"[bold]story {cluster.story_id}[/bold]: {escape(canonical.title or '')} ({len(cluster.copies)} copies)"
    )
    for copy in cluster.copies:
        similarity = "" if copy.match == "original" else f"{copy.similarity:.2f}"
        published = copy.published or "undated"
        console.print(
            f"  {copy.match:<8} {similarity:>4}  {published:<10}  seen {copy.seen:%Y-%m-%d %H:%M}  "
            f"{escape(labelled(copy.site, names))}  {escape(copy.url)}"
        )


@click.command()
@db_option
@click.option("--site", metavar="SITE", help="Only clusters with a copy on this site: its name, host[:port] or URL.")
@click.option(
    "--since", "since", metavar="DATE", help="Only clusters with a copy seen at or after this ISO date (UTC)."
)
def duplicates(db: str, site: str | None, since: str | None) -> None:
    """List the stories found in more than one place, biggest clusters first, canonical copy on top."""
    from rich.console import Console

    from storage.read.clusters import clusters
    from storage.read.site_names import site_names

    moment = _since(since)
    with open_archive(db) as archive:
        key = resolve_site(archive, site)
        found = clusters(archive, site=key, since=moment)
        names = site_names(archive)
    console = Console(soft_wrap=True)
    if not found:
        console.print("no duplicates" + (f" on {site}" if site else "") + (f" since {since}" if since else ""))
        return
    for cluster in found:
        _print(console, cluster, names)
    copies = sum(len(c.copies) - 1 for c in found)
    console.print(
        f"{plural(len(found), 'story', 'stories')} with duplicates, {plural(copies, 'duplicate copy', 'duplicate copies')}"
    )
