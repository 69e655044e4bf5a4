"""``newsarchive explain``: why two archived pages were, or were not, merged into one story."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from crawler.cli.common import Failure, db_option, open_archive, plural, settings_option

if TYPE_CHECKING:
    from crawler.dedup.compare import DedupConfig, Similarity
    from storage.read.clusters import Page

_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])\s+")
#: How many differing passages are shown on each side.
SHOWN = 8


def sentences(text: str) -> list[str]:
    """Return the sentences of ``text``, line by line."""
    return [s.strip() for line in text.splitlines() for s in _SENTENCE_END.split(line) if s.strip()]


def _status(name: str, found: Page) -> str:
    how = (
        "the canonical copy"
        if found.match == "original"
        else f"a {found.match} copy (similarity {found.similarity:.3f})"
    )
    return f"{name}: {escape(found.url)} ({found.site}) is {how} of story {found.story_id}"


def _verdict(sim: Similarity, by: str | None, config: DedupConfig) -> str:
    if by == "jaccard":
        return f"same story: Jaccard {sim.jaccard:.3f} >= {config.jaccard_threshold}"
    if by == "containment":
        return f"same story: containment {sim.containment:.3f} >= {config.containment_threshold}"
    if sim.merged_by(config) == "containment":
        return (
            f"different stories: containment {sim.containment:.3f} >= {config.containment_threshold}, but what "
            "they share is not shaped like a copy (paragraphs of prose in one block holding the lede, a fifth "
            "of the larger text): a quote, a briefing item or a shared background paragraph"
        )
    if sim.smaller == 0:
        return "different: a text without words is never a duplicate"
    if sim.smaller < config.min_shingles:
        return (
            f"different stories: Jaccard {sim.jaccard:.3f} < {config.jaccard_threshold}, and containment "
            f"counts only from {config.min_shingles} shingles"
        )
    return (
        f"different stories: Jaccard {sim.jaccard:.3f} < {config.jaccard_threshold} and containment "
        f"{sim.containment:.3f} < {config.containment_threshold}"
    )


def _passages(console: Console, a: str, b: str) -> None:
    left, right = sentences(a), sentences(b)
    matcher = difflib.SequenceMatcher(None, [s.casefold() for s in left], [s.casefold() for s in right], autojunk=False)
    shared = sum(size for _, _, size in matcher.get_matching_blocks())
    console.print(f"shared passages: {shared} of {plural(len(left), 'sentence')} in A, of {len(right)} in B")
    only_a = [s for tag, i1, i2, _, _ in matcher.get_opcodes() if tag in ("delete", "replace") for s in left[i1:i2]]
    only_b = [s for tag, _, _, j1, j2 in matcher.get_opcodes() if tag in ("insert", "replace") for s in right[j1:j2]]
    for label, passages in (("only in A", only_a), ("only in B", only_b)):
        console.print(f"{label}: {plural(len(passages), 'sentence')}")
        for passage in passages[:SHOWN]:
            console.print(f"  - {escape(passage)}")
        if len(passages) > SHOWN:
            console.print(f"  … and {len(passages) - SHOWN} more")


@click.command()
@db_option
@settings_option
@click.argument("url_a")
@click.argument("url_b")
def explain(db: str, overrides: tuple[str, ...], url_a: str, url_b: str) -> None:
    """Show why the archived pages URL_A and URL_B were, or were not, merged into one story."""
    from crawler.config import dedup_config
    from crawler.dedup.compare import verified
    from crawler.dedup.shingles import shingles
    from crawler.run import crawl_settings
    from storage.read.clusters import page

    try:
        config = dedup_config(crawl_settings(db, overrides))
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    with open_archive(db) as archive:
        a, b = page(archive, url_a), page(archive, url_b)
    missing = [url for url, found in ((url_a, a), (url_b, b)) if found is None]
    if missing:
        raise click.ClickException(f"not in the archive: {', '.join(missing)}")
    assert a is not None and b is not None
    console = Console(soft_wrap=True)
    console.print(_status("A", a))
    console.print(_status("B", b))
    merged = a.story_id == b.story_id
    console.print(f"merged: {'yes, one story' if merged else 'no, two stories'} ({a.story_id}, {b.story_id})")
    if a.text is None or b.text is None:
        console.print("the text of a copy archived before copies kept their text is not available")
        return
    sim, by = verified(a.text, shingles(a.text, config), b.text, shingles(b.text, config), config)
    console.print(
        f"Jaccard {sim.jaccard:.3f} (threshold {config.jaccard_threshold}), "
        f"containment {sim.containment:.3f} (threshold {config.containment_threshold}, "
        f"smaller text {sim.smaller} shingles, at least {config.min_shingles} needed)"
    )
    console.print(f"with these settings: {_verdict(sim, by, config)}")
    _passages(console, a.text, b.text)
