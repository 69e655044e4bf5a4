"""WARC benchmark: what recording every download costs a crawl, and what it takes on disk.

Crawls the generated news web of ``bench/end_to_end.py`` (83 extraction-dev pages,
three sites, reposts) with ``newsarchive crawl``, alternately with WARC recording
(ours) and with ``NEWSARCHIVE_WARC_ENABLED=0`` (the reference), and then writes the
recorded exchanges again in-process with our writer against bare warcio
``WARCWriter.write_request_response_pair`` on one file.

    python bench/warc.py [--data ../shared/data/extraction-dev] [--runs 3] [--polite]

Prints pages/s of the crawls, WARC bytes per page and the compression ratio,
exchanges/s of the writers and the writing time per page as a share of the
crawl's time per page (steadier than the crawl timings on a busy machine), and
peak memory. AutoThrottle is off unless --polite,
so the crawl runs as fast as this machine allows and the overhead shows.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from end_to_end import ROOT, build_web, load_stories
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.demo.newsweb import NewsWeb
from storage.warc import Exchange, WarcWriter

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def crawl(web: NewsWeb, db: Path, *settings: str) -> tuple[float, int, int]:
    """Run one crawl; return (seconds, pages fetched, peak RSS in MB)."""
    cmd = [
        str(Path(sys.executable).parent / "newsarchive"),
        "crawl",
        *[web.url(n) for n in web.sites],
        "--db",
        str(db),
        "-s",
        "NEWSARCHIVE_PROGRESS_INTERVAL=0",
        *settings,
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status:
        sys.exit(f"crawl failed:\n{stderr}")
    pages = int(re.search(r"pages fetched\s*│ (\d+)", stderr).group(1))
    return elapsed, pages, usage.ru_maxrss // 1024


def exchanges(warc_dir: Path) -> list[Exchange]:
    """Return the exchanges recorded in ``warc_dir``, to write them again."""
    found = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "response":
                    headers = record.http_headers
                    found.append(
                        Exchange(
                            url=record.rec_headers.get_header("WARC-Target-URI"),
                            method="GET",
                            request_headers=[("User-Agent", "newsarchive/bench")],
                            request_body=b"",
                            protocol=headers.protocol,
                            status=int(headers.get_statuscode()),
                            response_headers=list(headers.headers),
                            body=record.raw_stream.read(),
                        )
                    )
    return found


def write_ours(items: list[Exchange], directory: Path) -> float:
    writer = WarcWriter(directory, 10**12, {"software": "bench"})
    start = time.perf_counter()
    for exchange in items:
        writer.write(exchange)
    writer.close()
    return len(items) / (time.perf_counter() - start)


def write_bare_warcio(items: list[Exchange], path: Path) -> float:
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        start = time.perf_counter()
        for e in items:
            response = writer.create_warc_record(
                e.url,
                "response",
                payload=io.BytesIO(e.body),
                length=len(e.body),
                http_headers=StatusAndHeaders(f"{e.status}", e.response_headers, protocol=e.protocol),
            )
            request = writer.create_warc_record(
                e.url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=StatusAndHeaders("GET / HTTP/1.1", e.request_headers, is_http_request=True),
            )
            writer.write_request_response_pair(request, response)
        return len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "extraction-dev")
    parser.add_argument("--runs", type=int, default=3, help="crawls of each kind, alternating")
    parser.add_argument("--polite", action="store_true", help="keep AutoThrottle on, as a real crawl would")
    args = parser.parse_args()
    settings = [] if args.polite else FAST

    sites, _ = build_web(load_stories(args.data), reposts=0.4, seed=1)
    with NewsWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
        runs: dict[str, list[tuple[float, int, int]]] = {"ours": [], "reference": []}
        for i in range(args.runs):
            runs["ours"].append(crawl(web, Path(tmp) / f"ours{i}.db", *settings))
            runs["reference"].append(
                crawl(web, Path(tmp) / f"ref{i}.db", *settings, "-s", "NEWSARCHIVE_WARC_ENABLED=0")
            )
        warc_dir = Path(tmp) / "ours0.warc"
        warc_bytes = sum(p.stat().st_size for p in warc_dir.glob("*.warc.gz"))
        items = exchanges(warc_dir)
        body_bytes = sum(len(e.body) for e in items)
        ours_rate = write_ours(items, Path(tmp) / "again")
        bare_rate = write_bare_warcio(items, Path(tmp) / "bare.warc.gz")

    o, r = min(runs["ours"]), min(runs["reference"])
    print(
        f"news web: {len(sites)} sites, {o[1]} pages fetched per crawl, {args.runs} crawls each, "
        f"AutoThrottle {'on' if args.polite else 'off'}\n"
    )
    print(f"{'':34}{'ours (WARC on)':>22}{'reference (WARC off)':>24}")
    print(f"{'crawl, best of runs':34}{f'{o[0]:.2f} s':>22}{f'{r[0]:.2f} s':>24}")
    print(f"{'pages/s':34}{o[1] / o[0]:>22.1f}{r[1] / r[0]:>24.1f}")
    print(
        f"{'all runs (s)':34}{' '.join(f'{t:.2f}' for t, _, _ in runs['ours']):>22}"
        f"{' '.join(f'{t:.2f}' for t, _, _ in runs['reference']):>24}"
    )
    rss = {kind: f"{max(x[2] for x in found)} MB" for kind, found in runs.items()}
    print(f"{'peak memory (RSS) of the crawl':34}{rss['ours']:>22}{rss['reference']:>24}")
    print(f"{'WARC bytes per page':34}{warc_bytes / len(items):>22.0f}{'-':>24}")
    print(f"{'response bodies per page':34}{body_bytes / len(items):>22.0f}{'-':>24}")
    print(f"{'WARC / body bytes':34}{warc_bytes / body_bytes:>22.3f}{'-':>24}")
    print()
    print(f"{'':34}{'ours (WarcWriter)':>22}{'bare warcio writer':>24}")
    print(f"{'exchanges written/s (1 core)':34}{ours_rate:>22.0f}{bare_rate:>24.0f}")
    cost = f"{1000 / ours_rate:.2f} ms ({o[1] / ours_rate / o[0]:.1%} of crawl)"
    print(f"{'WARC writing per page':34}{cost:>22}{f'{1000 / bare_rate:.2f} ms':>24}")
    own = f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB"
    print(f"{'peak memory (RSS), this process':34}{own:>22}{'(same process)':>24}")


if __name__ == "__main__":
    main()
