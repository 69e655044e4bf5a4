"""Duplicate detection: text fingerprints, MinHash signatures, LSH band keys, verification.

Plain functions over text; the archive stores what they compute. A story is a
near-duplicate of another when their word shingles overlap enough — by Jaccard
for reposts, by containment for copies cut short or padded with an editor's note.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import datasketch
import numpy as np
from datasketch import LeanMinHash
from datasketch.lsh import _optimal_param

from crawler.minhash import NORMALISATION, Signer, fmix64, sha1_ids, shingle_ids, tokens

#: Shingle hash functions: poly64 is vectorised, sha1 is datasketch's default (slower, kept for interchange).
HASHFUNCS = ("poly64", "sha1")
_ROW_BASE = 0xC2B2AE3D27D4EB4F


@dataclass(frozen=True)
class DedupConfig:
    """How texts are shingled, signed and compared; stored with the index it built."""

    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"
    hashfunc: str = "poly64"
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
        if self.scheme != "affine32":
            raise ValueError(f"scheme must be 'affine32' (32-bit shingle hashes), got {self.scheme!r}")
        if self.hashfunc not in HASHFUNCS:
            raise ValueError(f"hashfunc must be one of {', '.join(HASHFUNCS)}, got {self.hashfunc!r}")
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
            "hashfunc": self.hashfunc,
            "shingle_size": self.shingle_size,
            "normalisation": NORMALISATION,
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
        return self.merged_by(config) is not None

    def merged_by(self, config: DedupConfig) -> str | None:
        """Return which measure makes both texts one story ('jaccard' or 'containment'), or None."""
        if self.smaller == 0:
            return None  # empty texts are never duplicates of anything
        if self.jaccard >= config.jaccard_threshold:
            return "jaccard"
        if self.smaller >= config.min_shingles and self.containment >= config.containment_threshold:
            return "containment"
        return None


def shingles(text: str, config: DedupConfig) -> np.ndarray:
    """Return the shingle set of ``text``: sorted, distinct 64-bit shingle ids (empty for a text without words)."""
    if config.hashfunc == "sha1":
        return sha1_ids(text, config.shingle_size)
    return shingle_ids(text, config.shingle_size)


def fingerprint(text: str) -> str:
    """Return the exact fingerprint of ``text``: equal for texts that differ only in case, spacing, punctuation."""
    return hashlib.sha256(" ".join(tokens(text)).encode("utf-8")).hexdigest()


@lru_cache(maxsize=4)
def _signer(num_perm: int, seed: int, scheme: str) -> Signer:
    return Signer(num_perm, seed, scheme)


def signature(shingle_set: np.ndarray, config: DedupConfig) -> LeanMinHash:
    """Return the MinHash of a shingle set, a datasketch ``LeanMinHash``."""
    return _signer(config.num_perm, config.seed, config.scheme).sign(shingle_set)


def band_keys(minhash: LeanMinHash, config: DedupConfig) -> list[tuple[int, int]]:
    """Return ``(band, bucket)`` pairs, the bucket a signed 64-bit hash of the band's rows: sharing one makes a candidate."""
    rows = np.asarray(minhash.hashvalues, dtype=np.uint64)[: config.bands * config.rows].reshape(config.bands, config.rows)
    weights = np.array([pow(_ROW_BASE, r, 1 << 64) for r in range(config.rows)], dtype=np.uint64)
    buckets = fmix64((rows * weights).sum(axis=1, dtype=np.uint64)).view(np.int64)
    return list(enumerate(buckets.tolist()))


def index_keys(mine: np.ndarray, config: DedupConfig) -> list[tuple[int, int]]:
    """Return the LSH band keys of shingle set ``mine``; none for an empty one, which stays out of the index."""
    return band_keys(signature(mine, config), config) if mine.size else []


@dataclass(frozen=True)
class TextSignals:
    """What dedup needs of a text: its exact fingerprint, its shingle set and that set's LSH band keys."""

    fingerprint: str
    shingles: np.ndarray = field(repr=False)
    band_keys: list[tuple[int, int]] = field(repr=False)


def text_signals(text: str, config: DedupConfig) -> TextSignals:
    """Return the dedup signals of ``text`` (computed where the page is extracted, off the crawl's thread)."""
    mine = shingles(text, config)
    return TextSignals(fingerprint(text), mine, index_keys(mine, config))


def similarity(a: np.ndarray, b: np.ndarray) -> Similarity:
    """Return the exact Jaccard similarity and containment of two shingle sets."""
    smaller = min(a.size, b.size)
    if not smaller:
        return Similarity(0.0, 0.0, 0)
    common = np.intersect1d(a, b, assume_unique=True).size
    return Similarity(common / (a.size + b.size - common), common / smaller, smaller)
