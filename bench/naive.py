"""A naive single-process news crawler, the reference ``bench/throughput.py`` races: what a short script does.

A fetch loop (urllib, one page at a time, every link of the start sites followed
breadth first, links found with a regex), plain ``trafilatura.extract``, a
datasketch ``MinHashLSH`` over word 5-shingles (its default threshold, 128
permutations) and one SQLite row per new text, committed page by page.

    python bench/naive.py --db naive.db http://127.0.0.1:8001/ [...]

Prints ``fetched N archived M duplicates D`` when the web is crawled.
"""

from __future__ import annotations

import argparse
import http.client
import re
import sqlite3
import urllib.error
import urllib.request
from collections import deque
from urllib.parse import urljoin, urlsplit

import trafilatura
from datasketch import MinHash, MinHashLSH

_HREF = re.compile(r"""<a\s[^>]*?href=["']([^"'#]+)""", re.IGNORECASE)
NUM_PERM = 128


def signature(text: str) -> MinHash:
    tokens = text.lower().split()
    minhash = MinHash(num_perm=NUM_PERM)
    minhash.update_batch(" ".join(tokens[i : i + 5]).encode("utf-8") for i in range(max(1, len(tokens) - 4)))
    return minhash


def crawl(start: list[str], db: str) -> tuple[int, int, int]:
    """Crawl every page reachable from ``start`` on their hosts; return (fetched, archived, duplicates)."""
    sites = {urlsplit(url).netloc for url in start}
    queue, seen = deque(start), set(start)
    lsh = MinHashLSH(num_perm=NUM_PERM)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE IF NOT EXISTS article (url TEXT PRIMARY KEY, text TEXT)")
    fetched = archived = duplicates = 0
    while queue:
        url = queue.popleft()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                html = response.read().decode("utf-8", "replace")
        # InvalidURL, ValueError: a link no HTTP client takes (spaces, a template's braces)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
            continue
        fetched += 1
        for href in _HREF.findall(html):
            link = urljoin(url, href.strip())
            if urlsplit(link).netloc in sites and link not in seen:
                seen.add(link)
                queue.append(link)
        text = trafilatura.extract(html)
        if not text:
            continue
        minhash = signature(text)
        if lsh.query(minhash):
            duplicates += 1
            continue
        lsh.insert(url, minhash)
        con.execute("INSERT OR REPLACE INTO article VALUES (?, ?)", (url, text))
        con.commit()
        archived += 1
    con.close()
    return fetched, archived, duplicates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    fetched, archived, duplicates = crawl(args.urls, args.db)
    print(f"fetched {fetched} archived {archived} duplicates {duplicates}")


if __name__ == "__main__":
    main()
