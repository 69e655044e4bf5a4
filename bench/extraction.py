"""Extraction benchmark: article body precision/recall/F1 on the extraction-dev pages.

Ours (``crawler.extract.article.extract_page``, the code the crawl runs) against
plain ``trafilatura.extract`` with its defaults and with its best option
settings, measured in the same run on the same pages, one page after another.

    python bench/extraction.py [--data ../shared/data/extraction-dev] [--repeat 1]

The metric is the benchmark's own (see the data folder's README): multisets of
4-token shingles, TP/FP/FN normalised per page, precision and recall averaged
over pages, F1 the harmonic mean of the averages. Pages are split into two fixed
halves by their id ("tune" and "held out"); the method was tuned on the first
only, so the second tells whether a gain is real. Paired columns compare each
extractor with plain trafilatura's defaults page by page (and ours with each
other setting): pages won / lost on per-page F1, and a bootstrap 95% interval
of the mean per-page F1 difference.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.extract.article import extract_page  # noqa: E402

TOKENS = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Return the multiset of ``n``-token shingles; a text of fewer tokens is one short shingle."""
    tokens = TOKENS.findall(text)
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class PageScore:
    tp: float
    fp: float
    fn: float

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def page_score(predicted: str, true: str) -> PageScore:
    """Return TP/FP/FN of one page, normalised to sum to 1 (all zero if both texts are empty)."""
    p, t = shingles(predicted), shingles(true)
    tp = sum((p & t).values())
    fp, fn = sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return PageScore(tp / total, fp / total, fn / total) if total else PageScore(0.0, 0.0, 0.0)


def aggregate(scores: list[PageScore]) -> tuple[float, float, float]:
    """Return (precision, recall, F1) as the benchmark computes them."""
    precisions = [s.tp / (s.tp + s.fp) for s in scores if s.tp + s.fp > 0]
    recalls = [s.tp / (s.tp + s.fn) for s in scores if s.tp + s.fn > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def paired(ours: list[PageScore], ref: list[PageScore], rounds: int = 2000) -> tuple[int, int, float, float]:
    """Return pages won and lost against ``ref`` and a bootstrap 95% interval of the mean per-page F1 difference."""
    diffs = [a.f1 - b.f1 for a, b in zip(ours, ref)]
    rng = random.Random(0)
    means = sorted(statistics.fmean(rng.choices(diffs, k=len(diffs))) for _ in range(rounds))
    return (
        sum(d > 1e-9 for d in diffs),
        sum(d < -1e-9 for d in diffs),
        means[int(0.025 * rounds)],
        means[int(0.975 * rounds)],
    )


def ours(html: str, url: str) -> str:
    article = extract_page(html, url).article
    return article.text if article else ""


def plain(**options: object) -> Callable[[str, str], str]:
    def run(html: str, url: str) -> str:
        return trafilatura.extract(html, **options) or ""

    return run


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "trafilatura defaults": plain(),
    "trafilatura include_comments=False": plain(include_comments=False),
    "trafilatura favor_precision": plain(favor_precision=True),
    "trafilatura both": plain(include_comments=False, favor_precision=True),
    "ours (extract_page)": ours,
}
OURS = "ours (extract_page)"


def default_data() -> Path:
    """Return ../shared/data/extraction-dev next to the repository (or next to the worktrees' folder)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "data" / "extraction-dev").is_dir():
            return base / "shared" / "data" / "extraction-dev"
    return ROOT.parent / "shared" / "data" / "extraction-dev"


def half(page_id: str) -> str:
    """Return the fixed half a page belongs to: 'tune' or 'held out'."""
    return "tune" if int(page_id[-1], 16) % 2 == 0 else "held out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each extractor this many times per page (best kept)"
    )
    args = parser.parse_args()

    truth = json.loads((args.data / "ground-truth.json").read_text("utf-8"))
    pages = {
        page_id: (gzip.decompress((args.data / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8"), item)
        for page_id, item in sorted(truth.items())
    }
    scores: dict[str, dict[str, PageScore]] = {}
    seconds: dict[str, list[float]] = {}
    for name, extract in EXTRACTORS.items():
        scores[name], seconds[name] = {}, []
        for page_id, (html, item) in pages.items():
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                text = extract(html, item["url"])
                best = min(best, time.perf_counter() - start)
            seconds[name].append(best)
            scores[name][page_id] = page_score(text, item["articleBody"])

    ref = "trafilatura defaults"
    groups = {"all": list(pages), **{h: [p for p in pages if half(p) == h] for h in ("tune", "held out")}}
    print(
        f"{len(pages)} pages from {args.data} (tune half {len(groups['tune'])}, held-out half {len(groups['held out'])})\n"
    )
    for group, ids in groups.items():
        print(f"== {group} ({len(ids)} pages)")
        print(f"{'extractor':38}{'F1':>8}{'prec':>8}{'recall':>8}   {'vs defaults: won/lost, mean ΔF1 95% CI':>40}")
        for name in EXTRACTORS:
            mine = [scores[name][p] for p in ids]
            precision, recall, f1 = aggregate(mine)
            won, lost, low, high = paired(mine, [scores[ref][p] for p in ids])
            versus = "" if name == ref else f"{won:>3}/{lost:<3} [{low:+.4f}, {high:+.4f}]"
            print(f"{name:38}{f1:>8.4f}{precision:>8.4f}{recall:>8.4f}   {versus:>40}")
        mine = [scores[OURS][p] for p in ids]
        for name in EXTRACTORS:
            if name not in (OURS, ref):
                won, lost, low, high = paired(mine, [scores[name][p] for p in ids])
                print(
                    f"{'  ours vs ' + name.removeprefix('trafilatura '):38}{'':24}   "
                    f"{f'{won:>3}/{lost:<3} [{low:+.4f}, {high:+.4f}]':>40}"
                )
        print()
    print(f"{'extractor':38}{'pages/s':>10}{'median ms':>12}")
    for name, times in seconds.items():
        print(f"{name:38}{len(times) / sum(times):>10.1f}{1000 * statistics.median(times):>12.1f}")
    print(
        f"\npeak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB; one process, pages one after another"
    )


if __name__ == "__main__":
    main()
