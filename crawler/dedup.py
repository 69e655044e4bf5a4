"""Duplicate detection: text fingerprints, MinHash signatures, LSH band keys, verification.

Plain functions over text; the archive stores what they compute. A story is a
near-duplicate of another when their word shingles overlap enough — by Jaccard
for reposts, by containment for copies cut short or padded with an editor's note.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import datasketch
import numpy as np
from datasketch import LeanMinHash, MinHash
from datasketch.lsh import _optimal_param

_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class DedupConfig:
    """How texts are shingled, signed and compared; stored with the index it built."""

    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"
    shingle_size: int = 5
    lsh_threshold: float = 0.3
    jaccard_threshold: float = 0.5
    containment_threshold: float = 0.8
    min_shingles: int = 30
    bands: int = field(init=False)
    rows: int = field(init=False)

    def __post_init__(self) -> None:
        for name in ("lsh_threshold", "jaccard_threshold", "containment_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0.0, 1.0], got {value!r}")
        for name in ("num_perm", "shingle_size", "min_shingles"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        bands, rows = _optimal_param(self.lsh_threshold, self.num_perm, 0.5, 0.5)
        object.__setattr__(self, "bands", bands)
        object.__setattr__(self, "rows", rows)

    def index_params(self) -> dict[str, Any]:
        """Return what an LSH index built with this config depends on: mixing any of it breaks the index."""
        return {
            "num_perm": self.num_perm,
            "seed": self.seed,
            "scheme": self.scheme,
            "shingle_size": self.shingle_size,
            "normalisation": "casefold-w+",
            "bands": self.bands,
            "rows": self.rows,
            "datasketch": datasketch.__version__,
        }


@dataclass(frozen=True)
class Similarity:
    """Overlap of two shingle sets."""

    jaccard: float
    containment: float
    smaller: int

    def same_story(self, config: DedupConfig) -> bool:
        """Return True when the overlap says both texts are one story."""
        if self.smaller == 0:
            return False  # empty texts are never duplicates of anything
        if self.jaccard >= config.jaccard_threshold:
            return True
        return self.smaller >= config.min_shingles and self.containment >= config.containment_threshold


def tokens(text: str) -> list[str]:
    """Return the normalised words of ``text``."""
    return _WORDS.findall(text.casefold())


def shingles(text: str, size: int) -> frozenset[str]:
    """Return the set of ``size``-word shingles of ``text`` (one shingle for a shorter text)."""
    words = tokens(text)
    if len(words) <= size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def fingerprint(text: str) -> str:
    """Return the exact fingerprint of ``text``: equal for texts that differ only in case, spacing, punctuation."""
    return hashlib.sha256(" ".join(tokens(text)).encode("utf-8")).hexdigest()


def signature(shingle_set: frozenset[str], config: DedupConfig) -> LeanMinHash:
    """Return the MinHash of ``shingle_set``, a datasketch ``LeanMinHash``."""
    minhash = MinHash(num_perm=config.num_perm, seed=config.seed, scheme=config.scheme)
    minhash.update_batch([s.encode("utf-8") for s in shingle_set])
    return LeanMinHash(minhash)


def band_keys(minhash: LeanMinHash, config: DedupConfig) -> list[tuple[int, int]]:
    """Return ``(band, bucket)`` pairs: documents sharing one are candidate duplicates."""
    values = np.asarray(minhash.hashvalues)
    keys = []
    for band in range(config.bands):
        chunk = values[band * config.rows : (band + 1) * config.rows].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "big", signed=True)))
    return keys


def similarity(a: frozenset[str], b: frozenset[str]) -> Similarity:
    """Return the exact Jaccard similarity and containment of two shingle sets."""
    smaller = min(len(a), len(b))
    if not smaller:
        return Similarity(0.0, 0.0, 0)
    common = len(a & b)
    return Similarity(common / len(a | b), common / smaller, smaller)
