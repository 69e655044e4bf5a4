"""Crash consistency: crawls and the scheduler killed with SIGKILL mid-write, restarted, end with the archive an uninterrupted crawl makes.

Each seed kills ``newsarchive crawl`` once or twice at a moment of its own: while a
write transaction is open on the archive, while a WARC record is half written
(the web serves a few large downloads, as real sites do, so a record takes long
enough to write to be caught), or anywhere, each once the archive holds a seeded
number of pages. The moment is found from outside: the crawl is frozen
(SIGSTOP), the archive and the WARC folder are looked at, and it is killed if it
is in that moment, else let go. Then the same command is run again to the end.
The final archive must hold exactly what an uninterrupted crawl of the same web
holds (every page's title and text, the duplicate links, the dedup index, the
raw captures), and every WARC file must read with warcio up to its last whole
record, a torn record only ever at the end of a file, where it is detected.
"""

from __future__ import annotations

import io
import random
import re
import signal
import sqlite3
import subprocess
import time
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from conftest import NEWSARCHIVE, exported, newsarchive
from crawler.demo.newsweb import NewsWeb
from fixture_web import FixtureWeb, build_test_web
from storage.warc import WarcLocation, file_problem, read_http_response

#: (seed, where each kill of a crawl lands before it is run to the end: a write transaction open on the
#: archive, a WARC record half written, or anywhere; the archive's database); how far each crawl gets
#: before it is killed is drawn from the seed. Between them: each moment on a first crawl and on a crawl
#: resumed after a kill, both databases, with and without Scrapy's JOBDIR (odd seeds).
KILLS = [
    (1, ("database", "warc"), "sqlite"),
    (4, ("warc", "anywhere"), "sqlite"),
    (5, ("database",), "postgresql"),
]


def crash_web() -> FixtureWeb:
    """The suite's three-site web with reposts, plus large downloads listed in the sitemaps."""
    web = build_test_web()
    rng = random.Random(18)
    for site in web.sites:
        for n in range(3):
            site.broken[f"/media/{site.theme}-report-{n}.pdf"] = (200, "application/pdf", rng.randbytes(400_000))
    return web


@dataclass(frozen=True)
class ArchiveState:
    """What an archive holds, free of ids and of which copy of a story happened to be stored first."""

    #: URL of every archived page -> its title and text (a copy's own text; an exact copy's is its story's)
    pages: dict[str, tuple[str | None, str]]
    #: the URLs of each story's copies
    stories: frozenset[frozenset[str]]
    #: the dedup index: (band, bucket, the story's URLs)
    index: frozenset[tuple[int, int, frozenset[str]]]
    #: URL -> its raw capture
    captures: dict[str, WarcLocation]
    versions: int


def connect(db: str) -> Any:
    """Return a DB-API connection to the archive ``db``: an SQLite file (which must exist), or a PostgreSQL URL."""
    if db.startswith("postgresql://"):
        return psycopg.connect(db, autocommit=True, connect_timeout=5)
    return sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=0, isolation_level=None)


def archive_state(db: str) -> ArchiveState:
    with closing(connect(db)) as conn:
        if isinstance(conn, sqlite3.Connection):
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            conn.execute("INSERT INTO stories_fts(stories_fts) VALUES ('integrity-check')")  # raises if out of step
        story_text = dict(conn.execute("SELECT id, text FROM stories"))
        pages = {url: (title, text) for url, title, text in conn.execute("SELECT url, title, text FROM stories")}
        copies: dict[int, set[str]] = {}
        for story, url, title, text in conn.execute("SELECT story_id, url, title, text FROM sightings"):
            copies.setdefault(story, set()).add(url)
            pages.setdefault(url, (title, story_text[story] if text is None else text))
        stories = {story: frozenset(urls) for story, urls in copies.items()}
        index = frozenset(
            (band, bucket, stories[story]) for band, bucket, story in conn.execute("SELECT * FROM lsh_buckets")
        )
        captures = {
            url: WarcLocation(path, offset, length)
            for url, path, offset, length in conn.execute(
                "SELECT s.url, w.warc_file, w.warc_offset, w.warc_length FROM warc_records w "
                "JOIN sightings s ON s.id = w.sighting_id"
            )
        }
        (versions,) = conn.execute("SELECT count(*) FROM story_versions").fetchone()
    assert set(story_text) == set(stories)  # every story has its sighting, no sighting is of a story that is gone
    return ArchiveState(pages, frozenset(stories.values()), index, captures, versions)


def check_same_archive(db: str, reference: ArchiveState, web: FixtureWeb, served: NewsWeb) -> None:
    """Assert that ``db`` holds what the uninterrupted crawl holds, its raw captures the bytes the web served."""
    state = archive_state(db)
    assert state.stories == reference.stories  # none lost, none twice, every duplicate linked to its story
    assert state.pages == reference.pages  # same titles and texts, furniture removed alike
    assert state.index == reference.index  # the next crawl finds the same duplicates
    assert state.versions == reference.versions == 0
    assert state.captures.keys() == reference.captures.keys() == state.pages.keys()
    bodies = {
        site.base_url + path: body for site in served.sites.values() for path, (_, _, body) in site.render().items()
    }
    for url, location in state.captures.items():
        head, _, body = read_http_response(location).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200"), head
        assert body == bodies[url], f"the capture of {url} is not the page served"
    web.check_archived_once(exported(db, "--with-duplicates"))


def gzip_members(data: bytes) -> tuple[list[bytes], int]:
    """Return the whole gzip members at the start of ``data``, decompressed, and where the first that is not whole starts."""
    members, pos, view = [], 0, memoryview(data)
    while pos < len(data):
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            text = member.decompress(view[pos:])
        except zlib.error:
            break
        if not member.eof:
            break
        members.append(text)
        pos = len(data) - len(member.unused_data)
    return members, pos


def check_warc_files(folder: Path) -> int:
    """Assert every WARC file is whole records up to its last, each read by warcio with its digests; return how many end torn.

    Each gzip member must hold one WARC record. Only the last member of a file may
    be cut short, and then the file must be known as damaged (``file_problem``,
    which the next crawl reports, starting a new file); warcio reads the file up to
    it without failing.
    """
    torn = 0
    for path in sorted(folder.glob("*.warc.gz")):
        data = path.read_bytes()
        members, whole = gzip_members(data)
        for n, member in enumerate(members):
            records = ArchiveIterator(io.BytesIO(member), check_digests=True)
            record = next(records)
            record.content_stream().read()
            assert record.digest_checker.passed is not False, f"{path.name}: record {n} fails its digest"
            assert next(records, None) is None, f"{path.name}: member {n} holds more than one record"
        read = 0
        with suppress(ArchiveLoadFailed):  # what a torn member gives warcio, if anything
            for record in ArchiveIterator(io.BytesIO(data)):
                record.content_stream().read()
                read += 1
        assert read >= len(members), f"{path.name}: warcio read {read} of {len(members)} whole records"
        if whole < len(data) or not members:  # cut short (a file killed before its first record was whole, too)
            rest = data[whole + 1 :]
            later = [m.start() for m in re.finditer(b"\x1f\x8b\x08", rest)]
            assert not any(gzip_members(rest[i:])[0] for i in later), f"{path.name}: a record cut short at {whole}"
            assert file_problem(path) is not None, f"{path.name} is cut short at {whole} but not known as such"
            torn += 1
        else:
            assert file_problem(path) is None
    return torn


@dataclass
class Watch:
    """Looks at an archive and its WARC folder from outside, as the crawls write them."""

    db: str
    warc: Path

    def pages(self) -> int:
        """Return how many pages the archive holds (0 before it exists)."""
        try:
            with closing(connect(self.db)) as conn:
                return int(conn.execute("SELECT count(*) FROM sightings").fetchone()[0])
        except (sqlite3.Error, psycopg.Error):
            return 0

    def warc_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.warc.glob("*.warc.gz")) if self.warc.is_dir() else 0

    def writing_database(self) -> bool:
        """Return whether a write transaction is open on the archive.

        On SQLite none can begin then; on PostgreSQL a session of the archive's
        database holds a transaction id, given at its first write.
        """
        try:
            conn = connect(self.db)
        except (sqlite3.Error, psycopg.Error):
            return False
        with closing(conn):
            if not isinstance(conn, sqlite3.Connection):
                writing = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL"
                return bool(conn.execute(writing).fetchone()[0])
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError as exc:
                return "locked" in str(exc)

    def writing_warc(self) -> bool:
        """Return whether the newest WARC file ends with a record cut short: one is being written."""
        files = sorted(self.warc.glob("*.warc.gz"))
        return bool(files) and file_problem(files[-1]) is not None

    def in_moment(self, moment: str) -> bool:
        if moment == "database":
            return self.writing_database()
        if moment == "warc":
            return self.writing_warc()
        return True


class NotFrozen(Exception):
    """A process did not stop: a parent inside vfork() waits for the child just stopped, and cannot stop itself."""


#: Seconds a process gets to reach the stopped state.
FREEZE_WAIT = 2.0


@contextmanager
def frozen(processes: list[psutil.Process]) -> Iterator[None]:
    """Stop ``processes`` (SIGSTOP) until the block ends: what they wrote stands still while it is looked at.

    Raises NotFrozen, all of them let go again, if one does not stop in time (caught mid-fork: try later).
    """
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            process.suspend()
    try:
        deadline = time.monotonic() + FREEZE_WAIT
        for process in processes:
            with suppress(psutil.NoSuchProcess):
                while process.status() not in (psutil.STATUS_STOPPED, psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
                    if time.monotonic() > deadline:
                        raise NotFrozen(process.pid)
        yield
    finally:
        for process in processes:
            with suppress(psutil.NoSuchProcess):
                process.resume()


def kill_in(
    process: subprocess.Popen[bytes], watch: Watch, moment: str, pages: int, warc_bytes: int, timeout: float = 90
) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """SIGKILL ``process`` in ``moment``, once the archive holds ``pages`` pages and its WARC folder ``warc_bytes``.

    Its whole tree is frozen while the moment is looked for, and let go after the
    kill; return the processes it had started: its children, and all their descendants.
    """
    root = psutil.Process(process.pid)
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"it ended before a kill in {moment} after {pages} pages, {warc_bytes} bytes"
        assert time.monotonic() < deadline, f"no {moment} moment after {pages} pages, {warc_bytes} bytes"
        if watch.pages() < pages or watch.warc_bytes() < warc_bytes:
            time.sleep(0.05)  # far from the moment: each look opens the archive, which the crawl competes with
            continue
        with suppress(psutil.NoSuchProcess, NotFrozen):
            children, descendants = root.children(), root.children(recursive=True)
            with frozen([root, *descendants]):
                if watch.in_moment(moment):
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    return children, descendants
        time.sleep(0.003)


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)


def check_all_gone(processes: list[psutil.Process], timeout: float) -> None:
    """Assert that ``processes`` end (or are already gone) within ``timeout`` seconds; kill any left."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    left = []
    for process in alive:
        with suppress(psutil.NoSuchProcess):
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append(" ".join(process.cmdline()[:6]))
                process.kill()
    assert not left, f"left running: {left}"


@pytest.fixture(scope="module")
def web() -> Iterator[tuple[FixtureWeb, NewsWeb]]:
    data = crash_web()
    with NewsWeb(data.sites) as served:
        yield data, served


@pytest.fixture(scope="module")
def reference(web: tuple[FixtureWeb, NewsWeb], tmp_path_factory: pytest.TempPathFactory) -> tuple[ArchiveState, int]:
    """The archive of an uninterrupted crawl of the web, and how many WARC bytes it wrote."""
    _, served = web
    db = tmp_path_factory.mktemp("reference") / "archive.db"
    result = newsarchive("crawl", *map(served.url, served.sites), "--db", str(db))
    assert result.returncode == 0, result.stderr
    warc = db.with_suffix(".warc")
    assert check_warc_files(warc) == 0
    return archive_state(str(db)), Watch(str(db), warc).warc_bytes()


@pytest.mark.parametrize("seed,moments,database", KILLS)
def test_a_crawl_killed_mid_write_and_run_again_ends_with_the_archive_of_an_uninterrupted_crawl(
    seed: int,
    moments: tuple[str, ...],
    database: str,
    web: tuple[FixtureWeb, NewsWeb],
    reference: tuple[ArchiveState, int],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    data, served = web
    state, reference_bytes = reference
    rng = random.Random(seed)
    if database == "postgresql":
        server = request.getfixturevalue("postgres")
        db = server.url(server.create_database(f"crash_{seed}"))
    else:
        db = str(tmp_path / "archive.db")
    watch = Watch(db, tmp_path / "archive.warc")
    jobdir = ["-s", f"JOBDIR={tmp_path / 'job'}"] if seed % 2 else []  # half the seeds keep Scrapy's queue too
    command = [NEWSARCHIVE, "crawl", *map(served.url, served.sites), "--db", db, "--warc-dir", str(watch.warc), *jobdir]
    log = tmp_path / "crawls.log"
    warc_kills = 0
    for moment in moments:
        held, written = watch.pages(), watch.warc_bytes()
        pages = held + rng.randrange(0, max(1, (len(state.pages) - held) // 2))
        more = int(rng.uniform(0.05, 0.6) * reference_bytes) if moment == "warc" else 0
        started = _start(command, log)
        _, workers = kill_in(started, watch, moment, pages if moment != "warc" else held, written + more)
        check_all_gone(workers, timeout=10)  # its extraction workers end with it
        warc_kills += moment == "warc"
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, log.read_text("utf-8", "replace") + resumed.stderr
    torn = check_warc_files(watch.warc)
    assert warc_kills <= torn <= len(moments)  # a kill mid-record left that file torn, and nothing was written after
    assert resumed.stderr.count("; left alone, new records go to new files") == torn  # each said, once
    check_same_archive(db, state, data, served)
    with closing(connect(db)) as conn:
        runs = [tuple(run) for run in conn.execute("SELECT finish_reason FROM runs ORDER BY id").fetchall()]
    assert runs[-1] == ("finished",) and set(runs[:-1]) <= {(None,)} and len(runs) <= len(moments) + 1


def _sites_toml(served: NewsWeb) -> str:
    return "".join(
        f'[[site]]\nname = "{name}"\nstart_urls = ["{served.url(name)}"]\nschedule = "1h"\n\n' for name in served.sites
    )


@pytest.mark.parametrize("seed", [6])
def test_a_scheduler_killed_while_its_crawls_write_takes_them_with_it_and_a_restart_completes_the_archive(
    seed: int, web: tuple[FixtureWeb, NewsWeb], reference: tuple[ArchiveState, int], tmp_path: Path
) -> None:
    data, served = web
    state, _ = reference
    rng = random.Random(seed)
    (tmp_path / "sites.toml").write_text(_sites_toml(served), "utf-8")
    db = tmp_path / "archive.db"
    watch = Watch(str(db), db.with_suffix(".warc"))
    schedule = [NEWSARCHIVE, "schedule", "--sites", str(tmp_path / "sites.toml")]
    schedule += ["--db", str(db), "--max-concurrent", "3", "-s", "EXTRACT_WORKERS=1"]
    scheduler = _start(schedule, tmp_path / "scheduler.log")
    crawls, descendants = kill_in(scheduler, watch, "database", rng.randrange(1, len(state.pages) // 2), 0)
    check_all_gone(crawls, timeout=2)  # the crawls are killed with the scheduler...
    check_all_gone(descendants, timeout=10)  # ...and their extraction workers end with them
    restarted = subprocess.run([*schedule, "--once"], capture_output=True, text=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr
    assert "another newsarchive schedule" not in restarted.stderr
    assert check_warc_files(watch.warc) <= 3
    check_same_archive(str(db), state, data, served)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT site, finish_reason FROM runs ORDER BY id").fetchall()
    killed = {site for site, reason in runs if reason is None}
    assert killed, runs  # at least one crawl was killed part-way...
    assert {site for site, reason in runs if reason == "finished"} == set(served.sites)  # ...and every site completed
