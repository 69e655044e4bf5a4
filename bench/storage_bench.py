"""Storage benchmark: the archive on SQLite and PostgreSQL at 10k and 100k generated articles.

    python bench/storage_bench.py [--sizes 10000,100000] [--backends sqlite,postgresql]
                            [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--seed 1]

For each backend and size it prints, ours against a reference measured in the same run:
- insert rate: articles/s written as the crawl writes them (``Archive.add_story`` — story,
  original sighting, LSH buckets, boilerplate line counts — one transaction per article; one in
  five articles also gets a repost through ``Archive.add_copy``, as the crawl writes it), against the same rows
  bulk-inserted by the raw driver in one transaction;
- search latency: median and 95th percentile ms of ``newsarchive search``'s query (``storage.read.search``:
  every match ranked, top 20 with snippets), against a ``LIKE '%word%'`` scan for all matches;
- size on disk per article (SQLite: the file after a checkpoint; PostgreSQL: pg_database_size),
  against the bytes of text and title;
- export: the real ``newsarchive export --with-duplicates`` (JSONL, to /dev/null) in a subprocess,
  stories/s (its start-up included) and its peak RSS, which stays flat from 10k to 100k, against
  the raw driver's rows dumped to JSON in this process.

Texts are generated (a Zipf-distributed vocabulary, 250 words per article); LSH bucket keys are
random 64-bit numbers, which is what real band hashes look like to the index. PostgreSQL runs in
a database created for the run and dropped at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import random
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql

from crawler.dedup.compare import DedupConfig
from storage import Archive, NewStory, archive_url
from storage.read.search import search

ROOT = Path(__file__).resolve().parent.parent
NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")
BANDS = DedupConfig().bands
WORDS_PER_ARTICLE = 250
SEARCHES = 50
LIKE_SEARCHES = 5


class Corpus:
    """Deterministic generated articles: article ``i`` is always the same text."""

    def __init__(self, seed: int, vocabulary: int = 20_000) -> None:
        rng = random.Random(seed)
        syllables = [a + b for a in "bcdfghklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou")]
        self.words = sorted({"".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(vocabulary * 2)})[
            :vocabulary
        ]
        rng.shuffle(self.words)
        self.cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.words))))
        self.seed = seed

    def article(self, i: int) -> tuple[NewStory, list[tuple[int, int]], dict[str, str]]:
        rng = random.Random(self.seed * 1_000_003 + i)
        words = rng.choices(self.words, cum_weights=self.cum_weights, k=WORDS_PER_ARTICLE)
        text = "\n".join(" ".join(words[p : p + 25]).capitalize() + "." for p in range(0, len(words), 25))
        site = f"site{i % 20}.example"
        story = NewStory(
            url=f"https://{site}/news/{i}",
            site=site,
            title=" ".join(rng.choices(self.words, cum_weights=self.cum_weights, k=8)).capitalize(),
            author="Staff",
            published=f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            language="en",
            sitename=site,
            text=text,
            raw_text=text,
            fingerprint=f"{i:064x}",
        )
        keys = [(band, rng.getrandbits(63)) for band in range(BANDS)]
        lines = {f"{site}-{n}": f"Furniture line {n} of {site}" for n in range(5)}
        return story, keys, lines

    def query_words(self, count: int, rng: random.Random) -> list[str]:
        """Return words of middling frequency (ranks 100-2000): what people search for."""
        return [self.words[rng.randint(100, 2000)] for _ in range(count)]


def insert(archive: Archive, corpus: Corpus, start: int, stop: int, chunk: int = 2000) -> float:
    """Write articles ``start``..``stop`` as the crawl does; return seconds (generating them is not timed)."""
    elapsed = 0.0
    for first in range(start, stop, chunk):
        articles = [(i, *corpus.article(i)) for i in range(first, min(first + chunk, stop))]
        began = time.perf_counter()
        for i, story, keys, lines in articles:
            story_id = archive.add_story(story, keys, lines)
            if i % 5 == 0:
                site = f"mirror{i % 3}.example"
                copy = dataclasses.replace(story, url=f"https://{site}/copy/{i}", site=site)
                archive.add_copy(story_id, copy, "near", 0.8, 0.9, keys, lines)
        elapsed += time.perf_counter() - began
    return elapsed


def reference_insert(url: str, corpus: Corpus, count: int) -> float:
    """Bulk-insert ``count`` stories with their sightings and buckets in one transaction with the raw driver; return seconds."""
    rows = [corpus.article(i) for i in range(count)]
    engine = sa.create_engine(archive_url(url))
    Archive(url).close()
    from storage.schema import lsh_buckets, sightings, stories

    began = time.perf_counter()
    with engine.begin() as conn:
        values = [dict(s.__dict__, id=n + 1, first_seen=_epoch()) for n, (s, _, _) in enumerate(rows)]
        conn.execute(stories.insert(), values)
        conn.execute(
            sightings.insert(),
            [
                {
                    "story_id": n + 1,
                    "url": s.url,
                    "site": s.site,
                    "title": s.title,
                    "match": "original",
                    "similarity": 1.0,
                    "containment": 1.0,
                    "seen": _epoch(),
                }
                for n, (s, _, _) in enumerate(rows)
            ],
        )
        conn.execute(
            lsh_buckets.insert(),
            [{"band": b, "bucket": k, "story_id": n + 1} for n, (_, keys, _) in enumerate(rows) for b, k in keys],
        )
    elapsed = time.perf_counter() - began
    engine.dispose()
    return elapsed


def _epoch():
    from datetime import datetime

    return datetime(2024, 1, 1, tzinfo=UTC)


def latencies(run: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """Return median and 95th percentile milliseconds of ``run`` over ``queries``."""
    times = []
    for query in queries:
        began = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def like_search(archive: Archive) -> Callable[[str], object]:
    """Return the reference search: every story containing the word, found by scanning (no index, no ranking)."""

    def run(word: str) -> object:
        with archive.engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT url FROM stories WHERE title LIKE :p OR text LIKE :p"), {"p": f"%{word}%"}
            ).all()

    return run


def size_on_disk(archive: Archive, url: str) -> int:
    if archive.engine.dialect.name == "sqlite":
        with archive.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in Path(archive.engine.url.database).parent.glob("archive.db*"))
    with archive.engine.connect() as conn:
        return conn.scalar(sa.text("SELECT pg_database_size(current_database())"))


def text_bytes(archive: Archive) -> int:
    with archive.engine.connect() as conn:
        return conn.scalar(sa.text("SELECT sum(length(text) + length(coalesce(title, ''))) FROM stories"))


def export_ours(url: str) -> tuple[float, str]:
    """Run ``newsarchive export --with-duplicates`` to /dev/null; return seconds and its peak RSS.

    The peak is read by GNU time: a child started straight from this big process would
    report this process's peak (Linux records the pre-exec address space of a vfork child).
    """
    command = [NEWSARCHIVE, "export", "--with-duplicates", "--db", url, "-o", os.devnull]
    timer = shutil.which("time") or "/usr/bin/time"
    measured = Path(timer).exists()
    began = time.perf_counter()
    result = subprocess.run(
        ([timer, "-f", "%M"] if measured else []) + command, check=True, capture_output=True, text=True, cwd=ROOT
    )
    elapsed = time.perf_counter() - began
    peak = f"{int(result.stderr.split()[-1]) // 1024} MiB" if measured else "n/a (no GNU time)"
    return elapsed, peak


def export_reference(archive: Archive) -> float:
    """Dump every story row to JSON with the raw driver's cursor, in batches; return seconds."""
    began = time.perf_counter()
    with open(os.devnull, "w") as out, archive.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=1000).exec_driver_sql(
            "SELECT url, title, text, published, author, language, site, sitename, first_seen FROM stories ORDER BY id"
        )
        for row in result:
            out.write(json.dumps(dict(row._mapping), default=str) + "\n")
    return time.perf_counter() - began


def postgres_database(server: str) -> Iterator[str]:
    name = f"newsarchive_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def bench_backend(backend: str, sizes: list[int], corpus: Corpus, server: str, seed: int) -> None:
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        targets = _targets(backend, server, tmp)
        url, reference_url = next(targets), next(targets)
        print(f"\n== {backend} ==")
        archive = Archive(url)
        done = 0
        empty = size_on_disk(archive, url)
        rng = random.Random(seed)
        for size in sizes:
            seconds = insert(archive, corpus, done, size)
            rate = (size - done) / seconds
            ref = reference_insert(reference_url, corpus, min(size, 10_000)) if size == sizes[0] else None
            print(
                f"[{size:>7} articles] insert {done}..{size}: ours {rate:,.0f} articles/s "
                f"(one transaction per article, +{(size - done) // 5} reposts)"
                + (
                    f"; reference bulk insert, one transaction: {min(size, 10_000) / ref:,.0f} articles/s"
                    if ref
                    else ""
                )
            )
            done = size
            queries = [" ".join(corpus.query_words(rng.choice([1, 2]), rng)) for _ in range(SEARCHES)]
            median, p95 = latencies(lambda q: search(archive, q), queries)
            like_median, like_p95 = latencies(like_search(archive), [q.split()[0] for q in queries[:LIKE_SEARCHES]])
            print(
                f"[{size:>7} articles] search: ours median {median:.1f} ms, p95 {p95:.1f} ms ({SEARCHES} queries, top 20);"
                f" reference LIKE scan for one word, all matches, median {like_median:.1f} ms, p95 {like_p95:.1f} ms ({LIKE_SEARCHES} queries)"
            )
            used = size_on_disk(archive, url) - empty
            print(
                f"[{size:>7} articles] size on disk: {used / size:,.0f} bytes/article"
                f" (text + title: {text_bytes(archive) / size:,.0f} bytes/article)"
            )
            seconds, rss = export_ours(url)
            reference = export_reference(archive)
            print(
                f"[{size:>7} articles] export: ours {size / seconds:,.0f} stories/s ({seconds:.1f} s incl. start-up,"
                f" with duplicates), peak RSS {rss};"
                f" reference raw rows to JSON {size / reference:,.0f} stories/s"
            )
        archive.close()
        targets.close()


def _targets(backend: str, server: str, tmp: str) -> Iterator[str]:
    if backend == "sqlite":
        (Path(tmp) / "ref").mkdir()
        yield str(Path(tmp) / "archive.db")
        yield str(Path(tmp) / "ref" / "archive.db")
        return
    main, reference = postgres_database(server), postgres_database(server)
    try:
        yield next(main)
        yield next(reference)
    finally:
        main.close()
        reference.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("NEWSARCHIVE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    corpus = Corpus(args.seed)
    print(
        f"storage benchmark: sizes {sizes}, {WORDS_PER_ARTICLE} words/article, {BANDS} LSH bands/article, "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores at start"
    )
    for backend in args.backends.split(","):
        bench_backend(backend, sizes, corpus, args.postgres, args.seed)
    print(
        f"\nload average {os.getloadavg()[0]:.2f} at the end; peak RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB"
    )


if __name__ == "__main__":
    main()
