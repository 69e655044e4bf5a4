"""The ``newsarchive`` command. Each subcommand lives in its own module, imported only when it runs.

Scrapy, trafilatura, datasketch and SQLAlchemy take seconds to import together:
``--help`` and a read-only command load only what they use (click's LazyGroup pattern).
"""

from __future__ import annotations

import importlib

import click

from crawler import __version__

#: Each subcommand and the ``module:object`` that defines it, in the order ``--help`` lists them.
COMMANDS = {
    "demo": "crawler.cli.demo:demo",
    "crawl": "crawler.cli.crawl:crawl",
    "schedule": "crawler.cli.schedule:schedule",
    "worker": "crawler.cli.worker:worker",
    "enqueue": "crawler.cli.enqueue:enqueue",
    "status": "crawler.cli.status:status",
    "runs": "crawler.cli.runs:runs",
    "stats": "crawler.cli.stats:stats",
    "search": "crawler.cli.search:search",
    "show": "crawler.cli.show:show",
    "duplicates": "crawler.cli.duplicates:duplicates",
    "explain": "crawler.cli.explain:explain",
    "export": "crawler.cli.export:export",
    "import": "crawler.cli.import_:import_",
    "extract": "crawler.cli.extract:extract",
    "health": "crawler.cli.health:health",
    "serve": "crawler.cli.serve:serve",
    "migrate": "crawler.cli.migrate:migrate",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported by name when they are looked up."""

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy_commands, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        module, name = self.lazy_commands[cmd_name].split(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command), f"{self.lazy_commands[cmd_name]} is not a click command"
        return command


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Crawl news sites and keep one clean copy of every story, with where else it ran."""
