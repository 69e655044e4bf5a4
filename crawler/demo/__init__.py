"""The bundled sample news web of ``newsarchive demo``: three sites, original texts, reposts.

The stories in ``stories.json`` were written for this project and ship with it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

from crawler.demo.newsweb import Site, Story, edited


def load_stories() -> dict[str, Story]:
    """Return the bundled stories by slug."""
    data = json.loads(resources.files(__package__).joinpath("stories.json").read_text("utf-8"))
    return {item["slug"]: Story.from_dict(item) for item in data}


def sample_sites() -> list[Site]:
    """Return the three demo sites: nine stories, three of them reposted on another site.

    Each repost names its source, as real ones do: an editor's note, or the wire's dateline
    credit; two run the same day as their original, one the day after.
    """
    s = load_stories()
    courier = Site(
        "Riverside Courier",
        "ledger",
        [
            s["riverside-library-reopens"],
            s["bus-network-redesign"],
            s["corvane-foods-job-cuts"],
            s["comet-okoro-vale-chemistry"],
        ],
        discovery=("feed",),
    )
    post = Site(
        "Valley Post",
        "topix",
        [s["winter-shelter-expansion"], s["corvane-fieldhouse-chilled-meals"]],
        discovery=("sitemap",),
    )
    wire = Site(
        "Metro Wire",
        "wire",
        [s["lakeshore-meridian-merger"], s["comet-okoro-vale-outburst"], s["city-wild-bee-survey"]],
        discovery=("news-sitemap",),
    )
    post.stories.append(
        edited(
            s["riverside-library-reopens"],
            slug="library-back-open",
            title="Renovated Riverside branch opens its doors again",
            editor_note="Editor's note: This story was first published by the Riverside Courier.",
        )
    )
    courier.stories.append(
        edited(
            s["lakeshore-meridian-merger"],
            slug="credit-unions-to-combine",
            title="Lakeshore and Meridian credit unions to combine",
            dateline="LAKESHORE (Metro Wire) —",
            keep=-2,
        )
    )
    post.stories.append(
        edited(
            s["comet-okoro-vale-outburst"],
            slug="comet-flares-up",
            title="Comet flares up: how to see it this week",
            dateline="GREYWATER RIDGE (Metro Wire) —",
            published=_day_after(s["comet-okoro-vale-outburst"].published),
        )
    )
    return [courier, post, wire]


def _day_after(day: str) -> str:
    """Return the ISO date after ``day``: a repost runs once the wire has published."""
    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()
