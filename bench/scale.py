"""Scale: the shared dedup index on PostgreSQL written by several processes at once.

    python bench/scale.py [--stories 2000] [--writers 1,2] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                          [--sections inserts]

Section ``inserts``: inserts/s into the shared dedup index with 1 and 2 concurrent
writers (floor: 400/s with 2 writers), each with the dedup lock on (the default:
``DEDUP_LOCK``, advisory locks on the article's index keys) and off, so the lock's
insert cost reads off the table. Each writer is a process of its own with its own
connection, as crawls on several machines are; after a barrier each writes
``--stories`` articles of its own, the way the crawl writes a new article
(``Writes.add_article``: the exact-fingerprint lookup and the candidate query of the
decision, then the story, its sighting and its index keys, in a savepoint; ``--batch``
articles, default the crawl's ``ARCHIVE_BATCH_SIZE``, to a transaction that first
locks all their keys and last adds their pages' line counts). Texts are storage_bench's generated articles (250
words), their keys the real LSH bands and anchors of the text. Every configuration
starts on a database of its own, created for the run and dropped. Each article
is a transaction that waits for the server's WAL flush, so a last row repeats the
most writers with ``synchronous_commit=off`` and the time of a one-row transaction
is printed: the disk's share of the cost. The CPU milliseconds per insert of the
writers and of their server backends (read from /proc: the server is local) hardly
move when other work shares the machine, unlike the rates; the two cores' 2000 ms a
second over them is the most this machine could insert. The reference,
measured in the same run: plain datasketch ``MinHashLSH`` (same threshold and
num_perm) in memory, one process, inserting the same articles' MinHashes.

A section is a function taking the parsed arguments and printing its table
(``SECTIONS``); pages/s of whole crawls with 1, 2 and 4 workers is the next to add.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
from datasketch import MinHashLSH
from storage_bench import Corpus, postgres_database

from crawler.dedup.compare import DedupConfig
from crawler.dedup.minhash import signature, text_signals
from crawler.dedup.shingles import shingles
from crawler.pipelines.dedup import MIN_SHARED_KEYS
from crawler.settings import ARCHIVE_BATCH_SIZE
from storage import Archive, DedupReads, Match, NewStory

CONFIG = DedupConfig()
#: The floor the issue sets: inserts/s with 2 writers on this machine.
FLOOR_TWO_WRITERS = 400.0
#: Seconds a writer waits for the others at the start line.
BARRIER_TIMEOUT = 300.0

Article = tuple[NewStory, list[tuple[int, int]], dict[str, str]]


def articles(corpus: Corpus, first: int, count: int) -> list[Article]:
    """Return articles ``first``..``first + count`` of ``corpus``, keyed by their text's real index keys."""
    made = []
    for i in range(first, first + count):
        story, _, lines = corpus.article(i)
        made.append((story, text_signals(story.text, CONFIG).band_keys, lines))
    return made


class Writer(NamedTuple):
    """What one writer measured: wall seconds, CPU seconds of its process and of its server backend, lookup hits."""

    seconds: float
    cpu: float
    server_cpu: float
    found: int


def backend_cpu(pid: int) -> float:
    """Return the CPU seconds of the local server process ``pid`` so far (utime + stime from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write(url: str, lock: bool, first: int, count: int, seed: int, batch: int, barrier: Any, results: Any) -> None:
    """Write ``count`` new articles as the crawl does, ``batch`` to a transaction, from the barrier on; put a
    :class:`Writer` on ``results``."""
    todo = articles(Corpus(seed), first, count)
    with Archive(url, dedup_lock=lock) as archive:
        found = 0

        def decide(reads: DedupReads, story: NewStory, keys: list[tuple[int, int]]) -> Match | None:
            """The lookups of the crawl's decision; distinct texts find nothing to verify, so every one is new."""
            nonlocal found
            found += reads.story_by_fingerprint(story.fingerprint) is not None
            found += bool(reads.candidates(keys, MIN_SHARED_KEYS))
            return None

        with archive.engine.connect() as conn:  # the one pooled connection every write then uses
            backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        barrier.wait(BARRIER_TIMEOUT)
        began, cpu, server = time.perf_counter(), time.process_time(), backend_cpu(backend)
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            with archive.writes(key for _, keys, _ in chunk for key in keys) as writes:
                for story, keys, lines in chunk:
                    writes.add_article(story, keys, lines, functools.partial(decide, story=story, keys=keys))
        seconds = time.perf_counter() - began
        results.put(Writer(seconds, time.process_time() - cpu, backend_cpu(backend) - server, found))


class Measured(NamedTuple):
    """Inserts/s of a configuration, CPU ms per insert (writer process + its server backend), lookup hits."""

    rate: float
    cpu_ms: float
    found: int


def shared_inserts(
    server: str, writers: int, lock: bool, count: int, seed: int, batch: int, durable: bool = True
) -> Measured:
    """Measure ``writers`` processes writing ``count`` articles each into one new archive (lookups that find
    something: 0 expected, every text is distinct). Not ``durable``: the writers' sessions commit without
    waiting for the WAL flush (synchronous_commit=off), to show what the disk's flush costs."""
    spawn = multiprocessing.get_context("spawn")
    with closing(postgres_database(server)) as database:
        url = next(database) + ("" if durable else "?options=-csynchronous_commit%3Doff")
        Archive(url).close()  # the schema, made once before the clock starts
        barrier, results = spawn.Barrier(writers), spawn.Queue()
        procs = [
            spawn.Process(target=write, args=(url, lock, w * count, count, seed, batch, barrier, results))
            for w in range(writers)
        ]
        for proc in procs:
            proc.start()
        done: list[Writer] = [results.get(timeout=BARRIER_TIMEOUT + 600) for _ in procs]
        for proc in procs:
            proc.join()
        if any(proc.exitcode for proc in procs):
            raise SystemExit(f"a writer failed (exit codes {[proc.exitcode for proc in procs]})")
    total = writers * count
    cpu_ms = sum(w.cpu + w.server_cpu for w in done) / total * 1000
    return Measured(total / max(w.seconds for w in done), cpu_ms, sum(w.found for w in done))


def commit_ms(server: str, rounds: int = 200) -> float:
    """Return the milliseconds of a one-row transaction on the server as configured: mostly its WAL flush."""
    with closing(postgres_database(server)) as database, psycopg.connect(next(database)) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.commit()
        began = time.perf_counter()
        for i in range(rounds):
            conn.execute("INSERT INTO t VALUES (%s)", (i,))
            conn.commit()
        return (time.perf_counter() - began) / rounds * 1000


def reference_inserts(count: int, seed: int) -> float:
    """Return inserts/s of plain datasketch MinHashLSH in memory, the MinHashes made before the clock starts."""
    corpus = Corpus(seed)
    hashes = [signature(shingles(corpus.article(i)[0].text, CONFIG), CONFIG) for i in range(count)]
    lsh = MinHashLSH(threshold=CONFIG.lsh_threshold, num_perm=CONFIG.num_perm)
    began = time.perf_counter()
    for i, minhash in enumerate(hashes):
        lsh.insert(i, minhash)
    return count / (time.perf_counter() - began)


def inserts(args: argparse.Namespace) -> None:
    """Print inserts/s into the shared index by writers and lock, against datasketch in memory."""
    writer_counts = sorted(int(n) for n in args.writers.split(","))
    print(
        f"\n## inserts/s into the shared dedup index (PostgreSQL, {args.stories} articles per writer, "
        f"{args.batch} per transaction)\n"
    )
    print(
        "| writers | dedup lock | inserts/s | per writer | lock's cost | CPU ms/insert (writer + server) | lookups hit |"
    )
    print("|---|---|---|---|---|---|---|")
    rates: dict[tuple[int, bool], float] = {}
    cpu: dict[tuple[int, bool], float] = {}
    for writers in writer_counts:
        for lock in (False, True):
            got = shared_inserts(args.postgres, writers, lock, args.stories, args.seed, args.batch)
            rates[writers, lock], cpu[writers, lock] = got.rate, got.cpu_ms
            cost = f"{1 - got.rate / rates[writers, False]:.0%}" if lock else ""
            print(
                f"| {writers} | {'on' if lock else 'off'} | {got.rate:,.0f} | {got.rate / writers:,.0f} | {cost} "
                f"| {got.cpu_ms:.2f} | {got.found} |"
            )
    most = writer_counts[-1]
    got = shared_inserts(args.postgres, most, True, args.stories, args.seed, args.batch, durable=False)
    print(
        f"| {most}, synchronous_commit=off | on | {got.rate:,.0f} | {got.rate / most:,.0f} | | {got.cpu_ms:.2f} | {got.found} |"
    )
    reference = reference_inserts(args.stories, args.seed)
    print(f"| reference: datasketch MinHashLSH in memory | | {reference:,.0f} | {reference:,.0f} | | | |")
    if (two := rates.get((2, True))) is not None:
        verdict = "met" if two >= FLOOR_TWO_WRITERS else "NOT met"
        print(f"\nfloor {FLOOR_TWO_WRITERS:.0f}/s with 2 writers, lock on: {two:,.0f}/s, {verdict}")
        cores = os.cpu_count() or 1
        print(
            f"CPU bound: {cores} cores at {cpu[2, True]:.2f} CPU ms an insert (2 writers, lock on) allow at most "
            f"{cores * 1000 / cpu[2, True]:,.0f} inserts/s, whatever else runs"
        )
    print(f"a one-row transaction on this server takes {commit_ms(args.postgres):.1f} ms (its WAL flush, mostly)")


#: The sections of the benchmark, in the order they run.
SECTIONS: dict[str, Callable[[argparse.Namespace], None]] = {"inserts": inserts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=2000, help="articles each writer writes")
    parser.add_argument("--writers", default="1,2", help="numbers of concurrent writers")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("NEWSARCHIVE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--batch",
        type=int,
        default=ARCHIVE_BATCH_SIZE,
        help="articles per transaction (the crawl's ARCHIVE_BATCH_SIZE)",
    )
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"of {', '.join(SECTIONS)}")
    args = parser.parse_args()
    print(f"scale benchmark: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores at start")
    for name in args.sections.split(","):
        SECTIONS[name](args)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
