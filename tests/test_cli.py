"""The ``newsarchive`` command as a new user meets it: a fast start, one-line errors, site names, tables that fit."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive_data import new_story
from conftest import NEWSARCHIVE, ROOT, newsarchive, run
from crawler.cli import COMMANDS
from storage import Archive, ArchivedStory, Sighting
from storage.runs import RunCounts, save_run, start_run

T0 = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
#: What a read-only command must not import: the crawler's libraries (courlan too), and Alembic for an up-to-date archive.
HEAVY = ("scrapy", "twisted", "trafilatura", "datasketch", "scipy", "alembic", "courlan")


def _imported(*args: str, cwd: Path = ROOT) -> set[str]:
    """Return the top-level packages ``python -m crawler.cli ARGS`` imports, from its ``-X importtime`` report."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    return {name.split(".")[0] for name in lines[1:]}  # the first line is the report's header


@pytest.fixture
def archive_db(tmp_path: Path) -> str:
    """An SQLite archive of two named sites and one without a name, a repost, and two runs."""
    db = str(tmp_path / "archive.db")
    ledger = [
        new_story(
            f"https://ledger.example.com/world/story-{i}-of-the-day",
            "ledger.example.com",
            f"Ledger story {i}.",
            published=f"2024-04-0{i}",
        )
        for i in range(1, 4)
    ]
    ledger = [_named(s, "The Daily Ledger") for s in ledger]
    wire = _named(
        new_story("http://127.0.0.1:8001/2024/04/wire-story-one", "127.0.0.1:8001", "Wire story."), "Metro Wire"
    )
    bare = _named(new_story("http://127.0.0.1:8002/2024/04/bare-story-one", "127.0.0.1:8002", "Bare story."), None)
    repost = Sighting(
        "http://127.0.0.1:8001/2024/04/ledger-repost", "127.0.0.1:8001", "Repost", "near", 0.9, 0.95, "2024-04-03"
    )
    with Archive(db) as archive:
        archive.restore(
            [
                ArchivedStory(ledger[0], T0, [], [(repost, T0 + timedelta(hours=2))]),
                *(ArchivedStory(s, T0, [], []) for s in (*ledger[1:], wire, bare)),
            ]
        )
        for site, errors in (
            ("ledger.example.com, 127.0.0.1:8001, 127.0.0.1:8002", {"http_500": 2, "timeout": 11}),
            ("The Daily Ledger", {}),
        ):
            run_id = start_run(archive, site)
            save_run(archive, run_id, RunCounts(1234, 56, 7, 8, sum(errors.values()), errors), "finished")
    return db


def _named(story, sitename):
    from dataclasses import replace

    return replace(story, sitename=sitename)


# -- a fast start ------------------------------------------------------------------------------------------------


def test_importing_the_cli_loads_no_crawler_library() -> None:
    code = "import sys, crawler.cli; print(' '.join(sorted(m for m in sys.modules if '.' not in m)))"
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert not set(HEAVY + ("sqlalchemy",)) & set(result.stdout.split())


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["crawl", "--help"], ["stats", "--help"]])
def test_help_and_version_load_neither_the_crawler_nor_storage(args: list[str]) -> None:
    imported = _imported(*args)
    assert "click" in imported  # the report is read
    assert not set(HEAVY + ("sqlalchemy", "storage", "courlan", "uvicorn", "fastapi")) & imported


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["runs"],
        ["search", "story"],
        ["duplicates"],
        ["export", "-o", "out.jsonl"],
        ["show", "https://ledger.example.com/world/story-1-of-the-day"],
    ],
)
def test_read_only_commands_load_no_crawler_library_nor_alembic(
    archive_db: str, command: list[str], tmp_path: Path
) -> None:
    imported = _imported(*command, "--db", archive_db, cwd=tmp_path)
    assert "sqlalchemy" in imported
    assert not set(HEAVY) & imported


def test_help_lists_every_command_with_its_summary() -> None:
    result = newsarchive("--help")
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == list(COMMANDS)


# -- one-line errors ---------------------------------------------------------------------------------------------


def _one_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Assert the command failed with one ``Error:`` line on stderr containing ``words``; return the line."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["search", "moon"],
        ["export"],
        ["runs"],
        ["duplicates"],
        ["show", "http://a.org/1"],
        ["crawl", "http://127.0.0.1:9/"],
        ["serve", "--port", "0"],
        ["import", "dump.jsonl"],
        ["explain", "http://a/", "http://b/"],
        ["migrate"],
    ],
)
def test_a_file_that_is_not_a_database_is_one_line_and_stays_as_it_was(tmp_path: Path, command: list[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping: milk, eggs\n")
    (tmp_path / "dump.jsonl").write_text(
        '{"url": "http://a.org/1", "site": "a.org", "text": "x", "first_seen": "2024-05-01"}\n'
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    result = newsarchive(*command, "--db", "notes.txt", cwd=tmp_path)
    _one_error(result, "notes.txt", "not a database")
    assert notes.read_text() == "shopping: milk, eggs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_export_into_a_missing_folder_is_one_line_and_creates_nothing(archive_db: str, tmp_path: Path) -> None:
    result = newsarchive("export", "--db", archive_db, "-o", str(tmp_path / "missing" / "out.jsonl"))
    _one_error(result, str(tmp_path / "missing" / "out.jsonl"), "No such file or directory")
    assert not (tmp_path / "missing").exists()


def test_export_to_a_full_device_is_one_line(archive_db: str) -> None:
    result = newsarchive("export", "--db", archive_db, "--format", "csv", "-o", "/dev/full")
    _one_error(result, "/dev/full", "No space left on device")


def _file_size_limit(limit: int):
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # Python ignores SIGXFSZ: writes fail with EFBIG

    return limited


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_an_export_that_fails_halfway_leaves_the_previous_file_whole(archive_db: str, tmp_path: Path, fmt: str) -> None:
    with Archive(archive_db) as archive:
        archive.restore(
            ArchivedStory(new_story(f"http://big.org/{i}", "big.org", os.urandom(4000).hex()), T0, [], [])
            for i in range(20)
        )  # 160 KB that no format compresses below the limit
    out = tmp_path / f"export.{fmt}"
    out.write_text("the previous export\n")
    result = subprocess.run(
        [NEWSARCHIVE, "export", "--db", archive_db, "--format", fmt, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit(50_000),
    )
    _one_error(result, str(out), "File too large")
    assert out.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_whole_export_replaces_the_file_with_the_usual_permissions(archive_db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    result = newsarchive("export", "--db", archive_db, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert len(out.read_text().splitlines()) == 5
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_serve_on_a_taken_port_fails_before_saying_it_serves(archive_db: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = newsarchive("serve", "--db", archive_db, "--port", str(port))
    line = _one_error(result, f"127.0.0.1:{port}", "Address already in use")
    assert "serving" not in result.stdout + line


def test_importing_a_parquet_file_says_so_and_leaves_no_archive(archive_db: str, tmp_path: Path) -> None:
    dump = tmp_path / "d.parquet"
    assert newsarchive("export", "--db", archive_db, "--format", "parquet", "-o", str(dump)).returncode == 0
    result = newsarchive("import", str(dump), "--db", str(tmp_path / "new.db"))
    _one_error(result, "d.parquet is a Parquet file", "JSONL")
    assert not list(tmp_path.glob("new.db*"))


def test_a_failed_import_leaves_no_archive_file_behind(tmp_path: Path) -> None:
    good = {"url": "http://a.org/1", "site": "a.org", "text": "x", "first_seen": T0.isoformat()}
    (tmp_path / "dump.jsonl").write_text(json.dumps(good) + "\n" + '{"url": "http://a.org/2"}\n')
    result = newsarchive("import", str(tmp_path / "dump.jsonl"), "--db", str(tmp_path / "new.db"))
    _one_error(result, "dump.jsonl", "line 2")
    assert not list(tmp_path.glob("new.db*"))


def test_crawl_without_a_site_says_how_to_name_one_in_its_own_syntax(tmp_path: Path) -> None:
    result = newsarchive("crawl", "--db", str(tmp_path / "a.db"))
    line = _one_error(result, "newsarchive crawl https://", "--sites")
    assert "-a start_urls" not in line
    assert not list(tmp_path.iterdir())


# -- sites by their names ----------------------------------------------------------------------------------------


def test_stats_shows_each_sites_name_beside_its_host(archive_db: str) -> None:
    result = newsarchive("stats", "--db", archive_db)
    assert result.returncode == 0, result.stderr
    rows = {cells[0]: cells[1:] for cells in _rows(result.stdout)}
    assert rows == {
        "127.0.0.1:8001": ["Metro Wire", "1", "1"],
        "127.0.0.1:8002": ["", "1", "0"],
        "ledger.example.com": ["The Daily Ledger", "3", "0"],
    }
    assert "5 stories, 1 duplicate" in result.stdout


def _rows(output: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in output.splitlines() if line.startswith("│")]


@pytest.mark.parametrize(
    "given",
    [
        "The Daily Ledger",
        "the daily ledger",
        "ledger.example.com",
        "www.ledger.example.com",
        "https://ledger.example.com/",
        "https://www.ledger.example.com/world/story-1-of-the-day",
    ],
)
def test_site_is_found_by_its_name_host_or_url(archive_db: str, given: str) -> None:
    result = newsarchive("export", "--db", archive_db, "--site", given)
    assert result.returncode == 0, result.stderr
    assert {json.loads(line)["site"] for line in result.stdout.splitlines()} == {"ledger.example.com"}
    assert "exported 3 stories" in result.stderr


def test_site_by_host_and_port_or_by_a_host_with_one_port(archive_db: str) -> None:
    by_port = newsarchive("search", "story", "--db", archive_db, "--site", "127.0.0.1:8002")
    assert by_port.returncode == 0 and "1 story found" in by_port.stderr
    several = newsarchive("export", "--db", archive_db, "--site", "127.0.0.1")
    _one_error(several, "matches several sites", "Metro Wire (127.0.0.1:8001)", "127.0.0.1:8002")


@pytest.mark.parametrize("command", [["export"], ["search", "story"], ["duplicates"]])
def test_an_unknown_site_is_named_with_the_archives_sites(archive_db: str, command: list[str]) -> None:
    result = newsarchive(*command, "--db", archive_db, "--site", "Evening Post")
    _one_error(
        result,
        "'Evening Post'",
        "The Daily Ledger (ledger.example.com)",
        "Metro Wire (127.0.0.1:8001)",
        "127.0.0.1:8002",
    )
    assert result.stdout == ""


def test_duplicates_names_the_sites_and_counts_in_the_singular(archive_db: str) -> None:
    result = newsarchive("duplicates", "--db", archive_db, "--site", "Metro Wire")
    assert result.returncode == 0, result.stderr
    assert "The Daily Ledger (ledger.example.com)" in result.stdout and "Metro Wire (127.0.0.1:8001)" in result.stdout
    assert "1 story with duplicates, 1 duplicate copy" in result.stdout


# -- tables that fit, the small things ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["runs"], ["stats"]])
def test_tables_fit_80_columns_without_cutting_a_word(
    archive_db: str, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = newsarchive(*command, "--db", archive_db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    if command == ["runs"]:
        header = next(line for line in lines if line.lstrip().startswith("run "))
        assert header.split() == ["run", "site", "started", "took", "status", "pages", "stories", "errors"]
        words = result.stdout.split()
        for word in (
            "(ledger.example.com)",
            "(127.0.0.1:8001)",
            "127.0.0.1:8002",
            "http_500",
            "timeout",
            "finished",
            "1234",
            "versions",
        ):
            assert word in words


def test_an_export_of_one_story_says_story(archive_db: str) -> None:
    result = newsarchive("export", "--db", archive_db, "--site", "127.0.0.1:8002")
    assert result.returncode == 0 and result.stderr.strip() == "exported 1 story"


def test_show_gives_first_seen_in_utc_with_its_offset(archive_db: str) -> None:
    result = newsarchive("show", "https://ledger.example.com/world/story-1-of-the-day", "--db", archive_db)
    assert result.returncode == 0, result.stderr
    assert "first_seen: 2024-05-01T08:30:00+00:00" in result.stdout.splitlines()


def test_the_newest_revision_is_read_from_the_migration_files_as_alembic_reads_it() -> None:
    from storage import schema_version

    assert schema_version._head_from_files() == schema_version.head()
