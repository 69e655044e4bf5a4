"""Story metadata in the archive (migration 0004): stored with the story, kept by old archives, exported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from storage import Archive, NewStory, schema_version
from storage.exchange.export import export_jsonl


def _story(**metadata: str) -> NewStory:
    return NewStory(
        url="http://a.org/1",
        site="a.org",
        title="T",
        author="A; B",
        published="2024-04-28",
        language="en",
        sitename="A",
        text="Body.",
        raw_text="Body.",
        fingerprint="f",
        **metadata,
    )


def test_an_archive_at_the_first_schema_gains_the_metadata_columns_and_keeps_its_stories(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(schema_version._config(conn), "0001")
        conn.execute(
            sa.text(
                "INSERT INTO stories (url, site, text, raw_text, fingerprint, first_seen) "
                "VALUES ('http://a.org/0', 'a.org', 'Old.', 'Old.', 'f0', '2024-01-01 00:00:00')"
            )
        )
    engine.dispose()
    with Archive(db) as archive:
        columns = {c["name"] for c in sa.inspect(archive.engine).get_columns("stories")}
        assert {"authors", "updated", "canonical_url", "section", "tags", "image", "jsonld", "raw_headings"} <= columns
        (old,) = list(archive.iter_stories())
        assert old["text"] == "Old." and old["authors"] is None


def test_metadata_is_stored_and_exported_as_json_values(tmp_path: Path) -> None:
    ld = [{"@type": "NewsArticle", "headline": "T"}]
    with Archive(str(tmp_path / "a.db")) as archive:
        archive.add_story(
            _story(
                authors='["A", "B"]',
                updated="2024-04-29",
                tags='["x", "y"]',
                section="world",
                image="http://a.org/i.jpg",
                jsonld=json.dumps(ld),
            ),
            [],
            {},
        )
        out = io.StringIO()
        export_jsonl(archive, out)
    record = json.loads(out.getvalue())
    assert record["authors"] == ["A", "B"] and record["tags"] == ["x", "y"] and record["jsonld"] == ld
    assert (record["updated"], record["section"], record["image"]) == ("2024-04-29", "world", "http://a.org/i.jpg")
