"""A small archive for the web tests, written through the archive's own API: stories, a repost, a hostile page, a run."""

from __future__ import annotations

from dataclasses import dataclass, replace

from archive_data import new_story
from storage import Archive
from storage.fetch_log import Fetch, FetchLog
from storage.runs import RunCounts, save_run, start_run

ORCHARD = "Farmers in the valley picked apples and pears all week.\nThe harvest was the best in years."
MARKET = "At the market, traders sold fish and bread.\nA few stalls had apples from the north."
#: Archived text that would run in a page that forgot to escape it.
SCRIPT = "<script>window.__pwned=1;alert(1)</script>"
IMAGE = '<img src=x onerror="window.__pwned=1;alert(1)">'
JAVASCRIPT_URL = "javascript:window.__pwned=1;alert(1)//"
HOSTILE_TEXT = f"Officials met on Monday.\n{SCRIPT} and {IMAGE} were printed as they came.\nThe meeting ended at noon."


@dataclass(frozen=True)
class WebArchive:
    """The ids of what :func:`fill` wrote."""

    orchard: int
    market: int
    hostile: int
    repost_url: str


def fill(archive: Archive) -> WebArchive:
    """Write two stories (one reposted elsewhere), a story full of markup and script URLs, a run and a failed fetch."""
    orchard = archive.add_story(
        new_story("http://farm.org/apples", "farm.org", ORCHARD, title="Apples galore", published="2024-05-02"), [], {}
    )
    repost = new_story(
        "http://town.org/apples-again", "town.org", ORCHARD, title="Apples galore, again", published=None
    )
    archive.add_copy(orchard, repost, "near", 0.8125, 0.9, [], {})
    market = archive.add_story(
        new_story("http://town.org/market", "town.org", MARKET, title="Market day", published="2024-06-10"), [], {}
    )
    hostile_story = replace(
        new_story("http://evil.org/story", "evil.org", HOSTILE_TEXT, title=f"Meeting {SCRIPT}", published="2024-06-11"),
        author=IMAGE,
        canonical_url=JAVASCRIPT_URL,
        image=JAVASCRIPT_URL,
        description=f"About {IMAGE}",
    )
    hostile = archive.add_story(hostile_story, [], {})
    hostile_copy = new_story(JAVASCRIPT_URL, "evil.org", HOSTILE_TEXT, title=IMAGE, published=None)
    archive.add_copy(hostile, hostile_copy, "near", 0.7, 0.8, [], {})
    run_id = start_run(archive, "farm.org,town.org")
    log = FetchLog(archive)
    log.record(Fetch("http://town.org/gone", "town.org", "page", 404, None, None, "error", "http_404"), run_id)
    log.record(Fetch("http://farm.org/apples", "farm.org", "article", 200, None, None, "archived"), run_id)
    save_run(
        archive,
        run_id,
        RunCounts(pages=3, new_stories=2, duplicates=1, errors=1, errors_by_kind={"http_404": 1}),
        "finished",
    )
    return WebArchive(orchard, market, hostile, repost.url)
