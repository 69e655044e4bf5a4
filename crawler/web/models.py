"""What the JSON API answers, as pydantic models: they are also its OpenAPI schema."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.browse import StoryRow
from storage.clusters import Cluster
from storage.search import MARK_END, MARK_START, SearchHit


class StoryList(BaseModel):
    """A page of stories, the most recently archived first."""

    stories: list[StoryRow]
    total: int
    page: int
    pages: int
    per_page: int


class Repost(BaseModel):
    """Another place a story ran: ``match`` is 'exact' or 'near'; similarity and containment of their 5-word shingles."""

    url: str
    site: str
    title: str | None
    match: str
    similarity: float
    containment: float
    seen: datetime


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
    first_seen: datetime
    reposts: list[Repost]
    #: the path of the raw HTTP response recorded in WARC, when there is one
    raw_capture: str | None

    @classmethod
    def of(cls, story: dict[str, Any], has_capture: bool) -> Story:
        """Return the API view of a story as :meth:`storage.Archive.story_at` gives it."""
        lists = {name: json.loads(story[name]) if story[name] else [] for name in ("authors", "tags")}
        raw = f"/stories/{story['id']}/raw" if has_capture else None
        return cls.model_validate(story | lists | {"reposts": story["duplicates"], "raw_capture": raw})


class Hit(BaseModel):
    """A story found by a search; ``highlights`` are the words of ``snippet`` that matched."""

    story_id: int
    url: str
    title: str | None
    site: str
    published: str | None
    score: float
    snippet: str
    highlights: list[str]

    @classmethod
    def of(cls, hit: SearchHit) -> Hit:
        highlights = [part.split(MARK_END, 1)[0] for part in hit.snippet.split(MARK_START)[1:]]
        snippet = hit.snippet.replace(MARK_START, "").replace(MARK_END, "")
        return cls(**{**vars(hit), "snippet": snippet, "highlights": highlights})


class SearchResults(BaseModel):
    """The stories matching every word of ``query``, best first."""

    query: str
    hits: list[Hit]
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
