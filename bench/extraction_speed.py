"""Extraction speed: our ``extract_page`` against plain ``trafilatura.extract`` on the same real pages, per stage.

    python bench/extraction_speed.py [--data ../shared/data/extraction-dev] [--rounds 5]

Both run over the extraction-dev pages (real news and blog pages, median ~115 KB)
one after another in this process, in alternating rounds, and the best round of
each counts: CPU time (``time.process_time``), so other work on the machine
hardly moves the ratio. Then one more round of ours with each stage timed (its
functions wrapped, which adds a little): what the time per page goes to. The
stages of trafilatura's own work (parsing, metadata, the main text) set the
floor the ratio cannot go under without asking the library for less.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction import default_data  # noqa: E402

from crawler.extract import article, metadata, trafilatura_adapter  # noqa: E402
from crawler.extract.links import PageLinks  # noqa: E402

#: (label, module, function name): the stages of ``extract_page``; trafilatura's own work first.
STAGES = (
    ("trafilatura: parse (load_html)", trafilatura_adapter, "parse_html"),
    ("trafilatura: main text (bare_extraction)", trafilatura_adapter, "main_body"),
    ("trafilatura: metadata (page_document)", trafilatura_adapter, "page_document"),
    ("htmldate: update date (find_date)", metadata, "find_date"),
    ("ours: photo blocks", article, "_drop_photo_blocks"),
    ("ours: page blocks (PageBlocks.of)", article, "PageBlocks"),
    ("ours: layout tables", article, "_unwrap_layout_tables"),
    ("ours: link blocks", article, "_drop_link_blocks"),
    ("ours: source lines", article, "_unwrap_source_lines"),
    ("ours: sibling chunks", article, "_with_sibling_chunks"),
    ("ours: page labels", article, "without_page_labels"),
    ("ours: styled edges", article, "without_styled_edges"),
    ("ours: bold subheads", article, "_bold_subheads"),
    ("crawl: the page's links (page_links)", article, "page_links"),
)
LIBRARY = 4  # the first four stages are the libraries' work


def load(data: Path) -> list[tuple[str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text())
    return [
        (truth[path.name.removesuffix(".html.gz")]["url"], gzip.decompress(path.read_bytes()).decode("utf-8"))
        for path in sorted((data / "html").glob("*.html.gz"))
    ]


def cpu_ms(extract: Callable[[str, str], object], pages: list[tuple[str, str]]) -> float:
    """Return CPU milliseconds per page of ``extract`` over ``pages``."""
    start = time.process_time()
    for url, html in pages:
        extract(html, url)
    return 1000 * (time.process_time() - start) / len(pages)


def without_links(html: str, url: str) -> object:
    """Return ``extract_page(html, url)`` with no links read: the extraction alone, as it was before it read them."""
    saved = article.page_links
    article.page_links = lambda tree, html, url: PageLinks()
    try:
        return article.extract_page(html, url)
    finally:
        article.page_links = saved


def staged(pages: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    """Return ours' ms per page and each stage's, its functions wrapped for the round."""
    spent: dict[str, float] = defaultdict(float)

    def timed(function: Callable[..., object], label: str) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - start

        return wrapper

    saved = [(module, name, getattr(module, name)) for _, module, name in STAGES]
    for (label, module, name), (_, _, original) in zip(STAGES, saved, strict=True):
        # PageBlocks is a class: its constructor ``of`` is what runs
        setattr(
            module,
            name,
            SimpleNamespace(of=timed(original.of, label)) if name == "PageBlocks" else timed(original, label),
        )
    try:
        total = cpu_ms(article.extract_page, pages)
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    return total, {label: 1000 * seconds / len(pages) for label, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = load(args.data)

    def plain(html: str, url: str) -> object:
        return trafilatura.extract(html)

    cpu_ms(plain, pages[:5]), cpu_ms(article.extract_page, pages[:5])  # first calls compile and load: not timed
    rounds: dict[str, list[float]] = {"plain": [], "ours": [], "unlinked": []}
    for _ in range(args.rounds):
        rounds["plain"].append(cpu_ms(plain, pages))
        rounds["ours"].append(cpu_ms(article.extract_page, pages))
        rounds["unlinked"].append(cpu_ms(without_links, pages))
    best = {name: min(times) for name, times in rounds.items()}
    total, stages = staged(pages)
    sizes = sorted(len(html.encode("utf-8")) for _, html in pages)

    print(
        f"{len(pages)} extraction-dev pages, median {sizes[len(sizes) // 2] // 1000} KB; CPU ms per page, "
        f"best of {args.rounds} alternating rounds\n"
    )
    print(f"{'plain trafilatura.extract(html)':44}{best['plain']:>8.2f}")
    print(f"{'ours extract_page(html, url)':44}{best['ours']:>8.2f}   {best['ours'] / best['plain']:.2f}x plain")
    print(
        f"{'  the same without reading its links':44}{best['unlinked']:>8.2f}   "
        f"{best['unlinked'] / best['plain']:.2f}x plain (the links the crawl's process read before)"
    )
    print(f"\nours by stage (one round, functions wrapped: {total:.2f} ms a page)")
    library = 0.0
    for i, (label, _, _) in enumerate(STAGES):
        print(f"  {label:42}{stages.get(label, 0.0):>8.2f}")
        library += stages.get(label, 0.0) if i < LIBRARY else 0.0
    print(f"  {'ours: the rest (metadata, hidden, glue)':42}{total - sum(stages.values()):>8.2f}")
    print(
        f"\nthe libraries' stages alone: {library:.2f} ms, {library / best['plain']:.2f}x plain "
        "(the floor without asking trafilatura for less)"
    )


if __name__ == "__main__":
    main()
