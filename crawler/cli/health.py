"""``newsarchive health``: per site, how extraction went in its latest runs, and whose layout drifted."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from crawler.cli.common import Failure, console, db_option, open_archive, resolve_site

if TYPE_CHECKING:
    from storage.health import Verdict


@click.command()
@db_option
@click.option("--site", default=None, metavar="NAME|HOST[:PORT]", help="Only this site, with every recorded run of it.")
def health(db: str, site: str | None) -> None:
    """Show each site's extraction health and flag the sites whose extraction is failing.

    Per site and run: the share of article pages that gave an article (yield), the median words per
    article, the shares with a title, date and author, and how much learned furniture changed. A run
    is flagged when its yield or its title/date share falls sharply against the site's own recent
    runs, or its median length does while the layout changed too (a day of short news is not flagged).
    """
    from storage.health import history, judge
    from storage.read.site_names import labelled, site_names

    with open_archive(db) as archive:
        labels = site_names(archive)
        runs_by_site = history(archive)
        key = resolve_site(archive, site)
    if key is not None:
        if key not in runs_by_site:
            known = ", ".join(labelled(k, labels) for k in sorted(runs_by_site)) or "none yet"
            raise Failure(f"--site: no health recorded for {labelled(key, labels)}; sites with health records: {known}")
        runs_by_site = {key: runs_by_site[key]}
    if not runs_by_site:
        console.print("no extraction health recorded yet: it is recorded by each crawl", markup=False)
        return
    verdicts = {key: judge(records) for key, records in sorted(runs_by_site.items())}
    from rich import box
    from rich.console import Console
    from rich.table import Column, Table
    from rich.text import Text

    out = Console()
    table = Table(
        Column("site", overflow="fold", min_width=15),
        Column("run", justify="right"),
        "articles",
        Column("words\n(usual)", no_wrap=True),
        Column("title/date\n/author %", no_wrap=True),
        "furniture\nnew",
        Column("health", no_wrap=True),
        title="extraction health" + ("" if site else ", latest run of each site"),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for key, judged in verdicts.items():
        name = labels.get(key)
        for verdict in judged if site else judged[-1:]:
            table.add_row(Text(f"{name}\n{key}" if name and name != key else key), *_cells(verdict))
    out.print(table)
    for key, judged in verdicts.items():
        latest = judged[-1]
        if latest.flagged:
            out.print(f"DRIFT {labelled(key, labels)}, run {latest.health.run_id}:", markup=False, highlight=False)
            for line in latest.flags:
                out.print(f"  {line}", markup=False, highlight=False)
            for url in latest.examples:
                out.print(f"  e.g. {url}", markup=False, highlight=False, overflow="ignore", crop=False)
        for note in latest.notes:
            out.print(f"note {labelled(key, labels)}: {note}", markup=False, highlight=False)


def _cells(verdict: Verdict) -> list[str]:
    h = verdict.health
    words = "-" if h.median_words is None else str(h.median_words)
    if verdict.usual_words is not None:
        words += f" ({verdict.usual_words:.0f})"
    if verdict.flagged:
        status = "DRIFT"
    elif not verdict.judged:
        status = "first run" if verdict.baseline_runs == 0 else "few pages"
    elif verdict.notes:
        status = "shorter"
    else:
        status = "ok"
    shares = [h.share(n) for n in (h.with_title, h.with_date, h.with_author)]
    metadata = "-" if shares[0] is None else "/".join(f"{share:.0%}".removesuffix("%") for share in shares)
    change = "-" if h.furniture_change is None else f"{h.furniture_change:.0%}"
    return [str(h.run_id), f"{h.articles}/{h.pages}", words, metadata, change, status]
