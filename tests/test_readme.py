"""The README's command reference says what each command's ``--help`` says: every option, none that is not there."""

from __future__ import annotations

import re

import click
import pytest

from conftest import ROOT
from crawler.cli import COMMANDS, main

README = (ROOT / "README.md").read_text("utf-8")
_OPTION = re.compile(r"(?<![\w-])--?[a-zA-Z][\w-]*")


def _sections(text: str) -> dict[str, str]:
    """Return each heading's text up to the next heading of its level or above; ``#`` lines in code blocks are code."""
    sections: dict[str, str] = {}
    open_headings: list[tuple[int, str]] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (heading := re.match(r"(#+) (.*)", line)):
            level = len(heading.group(1))
            open_headings = [(lvl, name) for lvl, name in open_headings if lvl < level] + [(level, heading.group(2))]
            assert heading.group(2) not in sections, f"two README sections named {heading.group(2)!r}"
            sections[heading.group(2)] = ""
            continue
        for _, name in open_headings:
            sections[name] += line + "\n"
    return sections


SECTIONS = _sections(README)


def _command(name: str) -> click.Command:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    return command


def _options(command: click.Command) -> list[list[str]]:
    return [[*p.opts, *p.secondary_opts] for p in command.params if isinstance(p, click.Option)]


def test_every_command_has_one_reference() -> None:
    references = [name.removeprefix("newsarchive ") for name in SECTIONS if name.startswith("newsarchive ")]
    assert sorted(references) == sorted(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_commands_reference_names_every_option_of_its_help(name: str) -> None:
    section = SECTIONS[f"newsarchive {name}"]
    named = set(_OPTION.findall(section))
    missing = [flags for flags in _options(_command(name)) if not named & set(flags)]
    assert not missing, f"README's newsarchive {name} does not name {missing}"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_commands_synopsis_names_no_option_it_does_not_have(name: str) -> None:
    section = SECTIONS[f"newsarchive {name}"]
    synopsis = re.findall(rf"^ *(?:newsarchive {name}\b.*(?:\n {{8,}}\[.*)*)", section, flags=re.M)
    assert synopsis, f"README's newsarchive {name} has no synopsis line"
    known = {flag for flags in _options(_command(name)) for flag in flags} | {"--help"}
    written = {flag for line in synopsis for flag in _OPTION.findall(line.split("#")[0])}
    assert written <= known, f"README's newsarchive {name} names {written - known}, which its --help does not"


def test_the_two_fresh_machine_commands_stand_as_written() -> None:
    fresh = SECTIONS["Fresh machine, two commands"]
    assert "pip install -e . && newsarchive demo\n" in fresh
    assert "pip install -e '.[test]' && python -m pytest\n" in fresh


def test_each_part_of_the_readme_comes_once_and_in_the_order_of_use() -> None:
    top = [name for name in SECTIONS if re.search(rf"^## {re.escape(name)}$", README, flags=re.M)]
    assert top == [
        "Fresh machine, two commands",
        "The commands",
        "Crawling",
        "Re-crawls and scheduling",
        "The archive",
        "Web UI and API",
        "PostgreSQL",
        "Scale out",
        "Deployment",
        "How it decides",
        "Raw pages in WARC",
        "Settings",
        "Layout",
    ]
    decides = SECTIONS["How it decides"]
    assert decides.count("- **Duplicates**") == 1 and decides.count("- **Boilerplate**") == 1
    layout = SECTIONS["Layout"]
    assert len(re.findall(r"^storage/", layout, flags=re.M)) == 1
    assert len(re.findall(r"^crawler/", layout, flags=re.M)) == 1
