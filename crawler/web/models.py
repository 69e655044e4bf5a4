"""What the JSON API answers, as pydantic models: they are also its OpenAPI schema."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.read.browse import StoryRow
from storage.read.clusters import Cluster, Copy
from storage.read.search import SearchHit


class StoryList(BaseModel):
    """A page of stories, the most recently archived first."""

    stories: list[StoryRow]
    total: int
    page: int
    pages: int
    per_page: int


class Story(BaseModel):
    """One story: its canonical copy's clean text and metadata, and every other place it ran."""

    id: int
    url: str
    site: str
    title: str | None
    author: str | None
    authors: list[str]
    published: str | None
    updated: str | None
    language: str | None
    sitename: str | None
    canonical_url: str | None
    section: str | None
    tags: list[str]
    image: str | None
    description: str | None
    text: str
    #: the page ended mid-document when fetched: the text may be cut short (fetched again until whole)
    incomplete: bool
    first_seen: datetime
    #: every other place it ran, oldest sighting first
    reposts: list[Copy]
    #: the path of the raw HTTP response recorded in WARC, when there is one
    raw_capture: str | None

    @classmethod
    def of(cls, story: dict[str, Any], has_capture: bool) -> Story:
        """Return the API view of a story as :func:`storage.read.browse.story_by_id` gives it."""
        lists = {name: json.loads(story[name]) if story[name] else [] for name in ("authors", "tags")}
        raw = f"/stories/{story['id']}/raw" if has_capture else None
        return cls.model_validate(story | lists | {"raw_capture": raw})


class SearchResults(BaseModel):
    """The stories matching every word of ``query``, best first; each snippet is plain text."""

    query: str
    hits: list[SearchHit]
    page: int
    per_page: int


class ClusterList(BaseModel):
    """A page of stories found in more than one place, biggest clusters first."""

    clusters: list[Cluster]
    page: int
    per_page: int
    more: bool


class Run(BaseModel):
    """One crawl run; ``finished`` and ``finish_reason`` are null for a run that never ended."""

    id: int
    site: str
    started: datetime
    finished: datetime | None
    finish_reason: str | None
    pages: int
    new_stories: int
    duplicates: int
    new_versions: int
    errors: int
    errors_by_kind: dict[str, int]
    #: what the run left out and why (not_html, maxsize, redirect_loop…)
    skipped_by_kind: dict[str, int]
