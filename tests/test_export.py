"""Export (JSONL, CSV, Parquet) and import, on SQLite and PostgreSQL: streamed, filtered, and read back unchanged."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from archive_data import new_story
from conftest import Crawls, exported, newsarchive
from crawler.cli import main
from crawler.dedup.compare import DedupConfig
from crawler.dedup.minhash import text_signals
from fixture_web import FixtureWeb
from storage import Archive, ArchivedStory, ArchiveError, Sighting
from storage.exchange.export import JSON_FIELDS, records
from storage.exchange.importer import BadExportLine, import_jsonl

T0 = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)

#: Story 1 of the fixture archive (the one with every metadata field) and its duplicate, as a JSON-lines export
#: writes them: lists and JSON-LD as JSON values, timestamps as ISO 8601 in UTC, similarities to four places.
STORY_1 = {
    "url": "http://a.org/1",
    "title": "T",
    "text": 'Story 1.\nLine, with "quotes" and ünïcode.',
    "published": "2024-01-02",
    "updated": "2024-01-03T09:00:00+00:00",
    "author": "A",
    "authors": ["Ann Lee", "Bo Ng"],
    "language": "en",
    "site": "a.org",
    "sitename": "A",
    "canonical_url": "https://a.org/story-1",
    "section": "World",
    "tags": ["farm", "ünïcode"],
    "image": None,
    "description": None,
    "jsonld": [{"@type": "NewsArticle"}],
    "incomplete": False,
    "first_seen": "2024-05-01T08:30:00+00:00",
    "duplicates": [
        {
            "url": "http://c.org/1-0",
            "site": "c.org",
            "title": "Copy 0",
            "match": "near",
            "similarity": 0.8123,
            "containment": 0.9,
            "published": "2024-02-02",
            "seen": "2024-05-01T08:30:00+00:00",
        }
    ],
}


def _archived(i: int, reposts: int = 1) -> ArchivedStory:
    story = new_story(
        f"http://a.org/{i}",
        "a.org" if i % 2 else "b.org",
        f'Story {i}.\nLine, with "quotes" and ünïcode.',
        published=(date(2024, 1, 1) + timedelta(days=i)).isoformat(),
    )
    duplicates = [
        (
            Sighting(
                f"http://c.org/{i}-{r}",
                "c.org",
                f"Copy {r}",
                "near",
                0.81234,
                0.9,
                (date(2024, 2, 1) + timedelta(days=i + r)).isoformat() if r % 2 == 0 else None,
            ),
            T0 + timedelta(hours=r),
        )
        for r in range(reposts)
    ]
    if i == 1:
        story = replace(
            story,
            updated="2024-01-03T09:00:00+00:00",
            authors='["Ann Lee", "Bo Ng"]',
            canonical_url="https://a.org/story-1",
            section="World",
            tags='["farm", "ünïcode"]',
            jsonld='[{"@type": "NewsArticle"}]',
        )
    return ArchivedStory(story, T0, [], duplicates)


@pytest.fixture
def archive(db: str):
    with Archive(db) as archive:
        archive.restore(_archived(i) for i in range(1, 31))
        yield archive


def test_export_holds_one_copy_per_story_and_duplicates_on_request(archive: Archive, db: str) -> None:
    plain = exported(db)
    assert [r["url"] for r in plain] == [f"http://a.org/{i}" for i in range(1, 31)]
    assert "duplicates" not in plain[0]
    assert plain[0]["text"] == 'Story 1.\nLine, with "quotes" and ünïcode.'
    assert plain[0]["first_seen"] == "2024-05-01T08:30:00+00:00"
    assert plain[0] == {k: v for k, v in STORY_1.items() if k != "duplicates"}
    assert exported(db, "--with-duplicates")[0] == STORY_1


def test_export_selects_by_site_and_publication_day(archive: Archive, db: str) -> None:
    records = exported(db, "--site", "b.org", "--since", "2024-01-05", "--until", "2024-01-09")
    assert [r["published"] for r in records] == ["2024-01-05", "2024-01-07", "2024-01-09"]
    assert {r["site"] for r in records} == {"b.org"}


def test_csv_and_parquet_hold_what_jsonl_holds(archive: Archive, db: str, tmp_path: Path) -> None:
    for fmt in ("csv", "parquet"):
        result = newsarchive(
            "export", "--db", db, "--format", fmt, "--with-duplicates", "-o", str(tmp_path / f"out.{fmt}")
        )
        assert result.returncode == 0, result.stderr
        assert "exported 30 stories" in result.stderr
    urls = [f"http://a.org/{i}" for i in range(1, 31)]
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["url"] for r in rows] == urls
    lists = (*JSON_FIELDS, "incomplete", "duplicates")  # JSON text in their CSV columns; no value is an empty cell
    assert {k: json.loads(v) if k in lists else v for k, v in rows[0].items()} == STORY_1 | {
        "image": "",
        "description": "",
    }
    assert (rows[1]["updated"], rows[1]["authors"], rows[1]["tags"], rows[1]["jsonld"]) == ("", "[]", "[]", "[]")
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.field("first_seen").type.tz == "UTC"
    parquet = table.to_pylist()
    assert [r["url"] for r in parquet] == urls
    assert parquet[0] == STORY_1 | {
        "first_seen": T0,  # timestamps as UTC timestamps, JSON-LD as JSON text
        "jsonld": '[{"@type": "NewsArticle"}]',
        "duplicates": [STORY_1["duplicates"][0] | {"seen": T0}],
    }
    assert (parquet[1]["updated"], parquet[1]["authors"], parquet[1]["tags"], parquet[1]["jsonld"]) == (
        None,
        [],
        [],
        None,
    )


def test_export_reads_stories_and_duplicates_in_batches(db: str) -> None:
    """No query per story: a large archive is read in a handful of queries, whatever its size."""
    with Archive(db) as archive:
        archive.restore(_archived(i, reposts=2) for i in range(1, 1201))
        statements: list[str] = []
        sa.event.listen(archive.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        exported = list(records(archive, duplicates=True))
    assert len(exported) == 1200 and all(len(r["duplicates"]) == 2 for r in exported)
    assert len(statements) == 2 * 3  # three pages of at most 500 stories, each with one query for their duplicates


def test_parquet_without_pyarrow_says_how_to_install_it(
    archive: Archive, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what an install without the extra looks like to import
    result = CliRunner().invoke(main, ["export", "--db", db, "--format", "parquet", "-o", str(tmp_path / "x.parquet")])
    assert result.exit_code == 2
    assert "pip install 'newsarchive[parquet]'" in result.output
    assert not (tmp_path / "x.parquet").exists()


def test_a_crawled_archive_survives_export_and_import(
    crawls: Crawls, test_web: FixtureWeb, db: str, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.jsonl"
    assert newsarchive("export", "--db", str(crawls.db), "--with-duplicates", "-o", str(dump)).returncode == 0
    result = newsarchive("import", str(dump), "--db", db)
    assert result.returncode == 0, result.stderr
    original = dump.read_text("utf-8").splitlines()
    assert f"imported {len(original)} stories" in result.stderr
    imported = exported(db, "--with-duplicates")
    assert [json.loads(line) for line in original] == imported
    test_web.check_archived_once(imported)  # every story of the web once, each repost its duplicate
    truth = test_web.story_by_url()
    stories, reposts = len(set(truth.values())), len(truth) - len(set(truth.values()))
    assert f"{stories} stories, {reposts} duplicates" in newsarchive("stats", "--db", db).stdout
    after = newsarchive("duplicates", "--db", db)
    assert after.returncode == 0
    assert f"{reposts} stories with duplicates, {reposts} duplicate copies" in after.stdout
    copies = [d for line in original for d in json.loads(line)["duplicates"]]
    assert copies and all(
        d["published"] for d in copies
    )  # every copy of the test web is dated: no copy comes back undated
    assert "undated" not in after.stdout


def test_an_imported_archive_knows_its_stories_for_dedup(db: str) -> None:
    config = DedupConfig()
    text = " ".join(f"word{i}" for i in range(200))
    record = {"url": "http://a.org/1", "site": "a.org", "text": text, "first_seen": T0.isoformat()}
    with Archive(db) as archive:
        assert import_jsonl(archive, [json.dumps(record)], lambda t: text_signals(t, config).stored) == 1
        fingerprint, keys = text_signals(text, config).stored
        (story_id,) = archive.candidates(keys)
        assert archive.story_by_fingerprint(fingerprint) == story_id
        assert archive.story_of_url("http://a.org/1") == story_id


def test_import_refuses_an_archive_that_holds_anything(archive: Archive) -> None:
    with pytest.raises(ArchiveError, match="not empty"):
        import_jsonl(archive, [], lambda t: ("", []))


def test_a_bad_line_imports_nothing(db: str) -> None:
    good = {"url": "http://a.org/1", "site": "a.org", "text": "x", "first_seen": T0.isoformat()}
    lines = [json.dumps(good), "", '{"url": "http://a.org/2"}']
    with Archive(db) as archive:
        with pytest.raises(BadExportLine, match="line 3 "):
            import_jsonl(archive, lines, lambda t: ("f", []))
        assert archive.is_empty()
