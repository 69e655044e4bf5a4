"""Furniture learning in a real crawl keeps what repeats because it is news copy: datelines, subheads."""

from __future__ import annotations

import dataclasses
import json

import pytest

from conftest import newsarchive
from crawler.demo.newsweb import NewsWeb, Site
from fixture_web import load_articles

DATELINE = "WASHINGTON (AP) —"
SUBHEAD = "What happens next"


@pytest.fixture(scope="module")
def wire_copy(tmp_path_factory: pytest.TempPathFactory):
    """A site whose every story opens with the same dateline line and has the same subhead."""
    stories = []
    for story in list(load_articles().values())[:5]:
        body = (DATELINE, *story.body[:3], f"## {SUBHEAD}", *story.body[3:])
        stories.append(dataclasses.replace(story, body=body))
    site = Site("Wire Copy", "ledger", stories, discovery=("feed",))
    db = tmp_path_factory.mktemp("wire") / "archive.db"
    with NewsWeb([site]) as web:
        result = newsarchive("crawl", web.url(site.name), "--db", str(db))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in newsarchive("export", "--db", str(db)).stdout.splitlines()]
    return site, records


def test_a_recurring_dateline_and_subhead_survive_while_the_furniture_goes(wire_copy) -> None:
    site, records = wire_copy
    assert len(records) == len(site.stories)
    for record in records:
        lines = record["text"].split("\n")
        assert lines[0] == DATELINE
        assert SUBHEAD in lines
        assert not [line for line in site.furniture if line in record["text"]]
