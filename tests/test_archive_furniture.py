"""Furniture in the archive: learned on each site's own pages, removed on every site, copies re-cleaned too."""

from __future__ import annotations

import dataclasses

from archive_data import new_story as _story
from storage import Archive


def test_every_sites_learned_lines_are_read_together(db: str) -> None:
    with Archive(db) as archive:
        for i in range(5):
            archive.add_story(_story(f"http://a.org/{i}"), [], {"app": "Get the Ledger app"})
            archive.add_story(_story(f"http://b.org/{i}", site="b.org"), [], {"tip": "Send us a tip"} if i < 2 else {})
        assert archive.furniture(min_pages=3, min_ratio=0.2) == {"app"}
        assert archive.furniture(min_pages=2, min_ratio=0.2) == {"app", "tip"}
        assert archive.furniture(min_pages=2, min_ratio=0.5) == {"app"}  # 2 of b.org's 5 pages


def test_a_line_on_many_sites_but_few_pages_of_each_is_not_learned(db: str) -> None:
    """A syndicated paragraph recurs across sites, once on each: it is text, not any site's furniture."""
    with Archive(db) as archive:
        for site in ("a.org", "b.org", "c.org", "d.org"):
            for i in range(5):
                lines = {"wire": "The wire paragraph every site ran."} if i == 0 else {}
                archive.add_story(_story(f"http://{site}/{i}", site=site), [], lines)
        assert archive.furniture(min_pages=3, min_ratio=0.2) == set()


def test_reclean_reaches_the_kept_copies_of_a_site_from_their_raw_text(db: str) -> None:
    with Archive(db) as archive:
        story_id = archive.add_story(_story("http://a.org/1", text="Para.\nPara two."), [], {})
        copy = dataclasses.replace(
            _story("http://b.org/1", site="b.org", text="Para.\nJoin us\nPara two.", published="2024-04-29"),
            raw_headings="[]",
        )
        assert not archive.add_copy(story_id, copy, "near", 0.9, 0.95, [], {})
        drop = lambda raw, headings: raw.replace("Join us\n", "")  # noqa: E731
        assert archive.reclean("b.org", drop, signals=lambda text: (f"f:{text}", [])) == 1
        (story,) = archive.iter_stories()
        (duplicate,) = story["duplicates"]
        assert duplicate["url"] == "http://b.org/1"
        with archive.engine.connect() as conn:
            texts = dict(conn.exec_driver_sql("SELECT url, text FROM sightings WHERE text IS NOT NULL").all())
        assert texts == {"http://b.org/1": "Para.\nPara two."}
