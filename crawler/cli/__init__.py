"""The ``newsarchive`` command. Each subcommand lives in its own module and is registered here."""

from __future__ import annotations

import click

from crawler import __version__
from crawler.cli.crawl import crawl
from crawler.cli.demo import demo
from crawler.cli.duplicates import duplicates
from crawler.cli.explain import explain
from crawler.cli.export import export
from crawler.cli.extract import extract
from crawler.cli.health import health
from crawler.cli.import_ import import_
from crawler.cli.migrate import migrate
from crawler.cli.runs import runs
from crawler.cli.schedule import schedule
from crawler.cli.search import search
from crawler.cli.serve import serve
from crawler.cli.show import show
from crawler.cli.stats import stats


@click.group()
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Crawl news sites and keep one clean copy of every story, with where else it ran."""


main.add_command(crawl)
main.add_command(export)
main.add_command(stats)
main.add_command(demo)
main.add_command(migrate)
main.add_command(search)
main.add_command(import_)
main.add_command(runs)
main.add_command(show)
main.add_command(extract)
main.add_command(duplicates)
main.add_command(explain)
main.add_command(schedule)
main.add_command(serve)
main.add_command(health)
