"""Where a duplicate is decided: the dedup config, and whether two texts are one story.

A story is a near-duplicate of another when their word shingles overlap enough — by
Jaccard for reposts, by containment of the smaller text for copies cut short or padded
with a local outlet's own paragraphs — and, for containment, when what they share is
shaped like a copy (:func:`verified`). Candidates come from the index keys of
:mod:`crawler.dedup.minhash`; shingles from :mod:`crawler.dedup.shingles`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import datasketch
import numpy as np
from datasketch import MinHashLSH

from crawler import settings as defaults
from crawler.dedup.shingles import HASHFUNCS, NORMALISATION, shingles, tokens
from crawler.errors import InvalidField

#: A line of prose ends a sentence (a closing quote or bracket may follow); headlines and labels do not.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


@dataclass(frozen=True)
class DedupConfig:
    """How texts are shingled, signed and compared; stored with the index it built.

    Defaults are the ``DEDUP_*`` settings (crawler/settings.py), where each is explained.
    """

    num_perm: int = defaults.DEDUP_NUM_PERM
    seed: int = defaults.DEDUP_SEED
    scheme: str = defaults.DEDUP_SCHEME
    hashfunc: str = defaults.DEDUP_HASHFUNC
    shingle_size: int = defaults.DEDUP_SHINGLE_SIZE
    lsh_threshold: float = defaults.DEDUP_LSH_THRESHOLD
    jaccard_threshold: float = defaults.DEDUP_JACCARD_THRESHOLD
    containment_threshold: float = defaults.DEDUP_CONTAINMENT_THRESHOLD
    min_shingles: int = defaults.DEDUP_MIN_SHINGLES
    #: one shingle in this many is an anchor (the id range's lowest 1/anchor_rate)
    anchor_rate: int = defaults.DEDUP_ANCHOR_RATE
    #: a text shorter than ``anchor_min * anchor_rate`` shingles is anchored by its smallest ids
    anchor_min: int = defaults.DEDUP_ANCHOR_MIN
    #: a containment match needs this many of the smaller text's paragraphs mostly shared
    min_shared_paragraphs: int = defaults.DEDUP_MIN_SHARED_PARAGRAPHS
    #: below this containment, a match also needs the first paragraph of one text mostly in the other
    lede_containment: float = defaults.DEDUP_LEDE_CONTAINMENT
    bands: int = field(init=False)
    rows: int = field(init=False)

    def __post_init__(self) -> None:
        for name in ("lsh_threshold", "jaccard_threshold", "containment_threshold", "lede_containment"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise InvalidField(name, f"{name} must be in (0.0, 1.0], got {value!r}")
        if self.scheme != "affine32":
            raise InvalidField("scheme", f"scheme must be 'affine32' (32-bit shingle hashes), got {self.scheme!r}")
        if self.hashfunc not in HASHFUNCS:
            raise InvalidField("hashfunc", f"hashfunc must be one of {', '.join(HASHFUNCS)}, got {self.hashfunc!r}")
        for name in ("num_perm", "shingle_size", "min_shingles", "anchor_rate", "anchor_min", "min_shared_paragraphs"):
            if getattr(self, name) < 1:
                raise InvalidField(name, f"{name} must be a positive integer, got {getattr(self, name)!r}")
        try:  # datasketch's own choice of bands and rows for the threshold, with its checks
            lsh = MinHashLSH(threshold=self.lsh_threshold, num_perm=self.num_perm)
        except ValueError as exc:
            raise InvalidField(
                "num_perm", f"num_perm {self.num_perm} cannot be banded for lsh_threshold {self.lsh_threshold}: {exc}"
            ) from None
        object.__setattr__(self, "bands", lsh.b)
        object.__setattr__(self, "rows", lsh.r)

    def index_params(self) -> dict[str, Any]:
        """Return what an LSH index built with this config depends on: mixing any of it breaks the index."""
        return {
            "num_perm": self.num_perm,
            "seed": self.seed,
            "scheme": self.scheme,
            "hashfunc": self.hashfunc,
            "shingle_size": self.shingle_size,
            "normalisation": NORMALISATION,
            "bands": self.bands,
            "rows": self.rows,
            "anchor_rate": self.anchor_rate,
            "anchor_min": self.anchor_min,
            "datasketch": datasketch.__version__,
        }


@dataclass(frozen=True)
class Similarity:
    """Overlap of two shingle sets."""

    jaccard: float
    containment: float
    smaller: int

    def merged_by(self, config: DedupConfig) -> str | None:
        """Return which measure makes both texts one story ('jaccard' or 'containment'), or None."""
        if self.smaller == 0:
            return None  # empty texts are never duplicates of anything
        if self.jaccard >= config.jaccard_threshold:
            return "jaccard"
        if self.smaller >= config.min_shingles and self.containment >= config.containment_threshold:
            return "containment"
        return None


def similarity(a: np.ndarray, b: np.ndarray) -> Similarity:
    """Return the exact Jaccard similarity and containment of two shingle sets."""
    smaller = min(a.size, b.size)
    if not smaller:
        return Similarity(0.0, 0.0, 0)
    common = np.intersect1d(a, b, assume_unique=True).size
    return Similarity(common / (a.size + b.size - common), common / smaller, smaller)


def paragraphs(text: str, config: DedupConfig) -> list[str]:
    """Return the paragraphs of ``text`` that verification weighs: its lines of a shingle or more."""
    return [line for line in text.split("\n") if len(tokens(line)) >= config.shingle_size]


def shared_paragraphs(text: str, other: np.ndarray, config: DedupConfig) -> list[bool]:
    """Return, for each paragraph of ``text``, whether most of its shingles are in ``other``."""
    return [
        np.isin(mine, other, assume_unique=True).sum() * 2 > mine.size for mine in _paragraph_shingles(text, config)
    ]


@lru_cache(maxsize=64)
def _paragraph_shingles(text: str, config: DedupConfig) -> tuple[np.ndarray, ...]:
    """Return the shingle set of each paragraph of ``text`` (cached: a text is weighed against several candidates)."""
    return tuple(shingles(line, config) for line in paragraphs(text, config))


def prose_flags(text: str, config: DedupConfig) -> list[bool]:
    """Return, for each paragraph of ``text``, whether it is prose (ends a sentence), not a headline or a label."""
    return [bool(_SENTENCE_END.search(line)) for line in paragraphs(text, config)]


def verified(
    text: str, mine: np.ndarray, other_text: str, other: np.ndarray, config: DedupConfig
) -> tuple[Similarity, str | None]:
    """Return the similarity of two texts and the measure that makes them one story, if one does.

    A match by containment (of the smaller text) also needs what a copy shows and a
    look-alike does not: paragraph after paragraph of prose shared, in each text
    (``min_shared_paragraphs``, or all the smaller has; a headline is no prose), where a roundup,
    a story carrying another's background paragraph or press-release footer, or a long
    story quoting a short one in one paragraph shares one. Below
    ``lede_containment`` it needs the shape of a copy too: in each text the shared
    paragraphs are one block (a line or two missing at most), and the block holds
    the lede — the first paragraph of one text, or starts at the top of the larger
    (two copies, each with its own lines first) — where a story quoting paragraphs
    from further down, or two briefings sharing some of their items, show neither.
    """
    sim = similarity(mine, other)
    by = sim.merged_by(config)
    if by != "containment":
        return sim, by
    a, b = shared_paragraphs(text, other, config), shared_paragraphs(other_text, mine, config)
    prose_a, prose_b = prose_flags(text, config), prose_flags(other_text, config)
    large, small_prose = (b, prose_a) if mine.size <= other.size else (a, prose_b)
    need = min(config.min_shared_paragraphs, sum(small_prose) or len(small_prose))
    for shared, prose in ((a, prose_a), (b, prose_b)):
        if sum(s and p for s, p in zip(shared, prose)) < need:
            return sim, None
    if sim.containment < config.lede_containment:
        lede = a[:1] == [True] or b[:1] == [True] or _block_start(large) <= 2
        if not (lede and _one_block(a) and _one_block(b)):
            return sim, None
    return sim, by


def _block_start(shared: list[bool]) -> int:
    """Return the index of the first shared paragraph (the length of ``shared`` if none is)."""
    return shared.index(True) if True in shared else len(shared)


def _one_block(shared: list[bool]) -> bool:
    """Return True if the shared paragraphs are one block: one in five of its span missing at most (one in a short one)."""
    found = [i for i, s in enumerate(shared) if s]
    if not found:
        return False
    span = found[-1] - found[0] + 1
    return span - len(found) <= max(1, span // 5)
