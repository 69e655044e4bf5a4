"""Stories to put in a test archive."""

from __future__ import annotations

from storage import NewStory


def new_story(
    url: str = "http://a.org/1",
    site: str = "a.org",
    text: str = "Body line.\nSecond line.",
    title: str | None = "T",
    published: str | None = "2024-04-28",
) -> NewStory:
    """Return a story of ``site`` at ``url``; its fingerprint is unique per URL."""
    return NewStory(
        url=url,
        site=site,
        title=title,
        author="A",
        published=published,
        language="en",
        sitename="A",
        text=text,
        raw_text=text,
        fingerprint="f-" + url,
    )
