"""MinHash signatures and index keys: what a text is signed with, and how its possible originals are found.

datasketch signs one shingle at a time: a Python hash call per shingle, then the
permutations. :class:`Signer` applies every permutation to a whole text's shingle ids in
a few numpy operations; the result is a datasketch ``LeanMinHash`` whose hash values equal
those of ``datasketch.MinHash(num_perm, seed, scheme, hashfunc=...)`` fed the same shingle
strings one by one (``hashfunc`` being :func:`crawler.dedup.shingles.poly64_hash32`, or
datasketch's own ``sha1_hash32`` for ``hashfunc="sha1"``), so datasketch's LSH and Jaccard
estimates apply unchanged.

Two kinds of index key find the candidates. LSH band keys of the MinHash find
pairs of high Jaccard similarity. Anchors — the shingles whose id falls in the
lowest ``1/anchor_rate`` of the id range (at least ``anchor_min`` of a text's
smallest ids) — are the same consistent sample of every text, so two texts share
about ``containment * anchors of the smaller`` of them whatever their sizes: they
find a copy keeping 60 % of an original's shingles at a Jaccard of 0.2, which
banding tuned for Jaccard never proposes. The archive stores what :func:`text_signals` computes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from datasketch import LeanMinHash, MinHash

from crawler.dedup.shingles import fmix64, shingles, tokens

if TYPE_CHECKING:
    from crawler.dedup.compare import DedupConfig

_ROW_BASE = 0xC2B2AE3D27D4EB4F
#: The band number under which anchors are indexed (LSH bands count from 0).
ANCHOR_BAND = -1


class Signer:
    """Sign whole texts with the permutations datasketch draws for ``num_perm``, ``seed`` and ``scheme``.

    >>> signer = Signer(num_perm=128, seed=1)
    >>> from crawler.dedup.shingles import shingle_ids
    >>> ids = shingle_ids("The quick brown fox jumps over the lazy dog", 5)
    >>> signer.sign(ids).jaccard(signer.sign(ids))
    1.0
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, scheme: str = "affine32") -> None:
        if scheme != "affine32":
            raise ValueError(f"scheme must be 'affine32' (32-bit shingle hashes), got {scheme!r}")
        self.num_perm, self.seed, self.scheme = num_perm, seed, scheme
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme=scheme).permutations
        self._a, self._b = a.astype(np.uint32), b.astype(np.uint32)

    def sign(self, ids: np.ndarray) -> LeanMinHash:
        """Return the MinHash of a set of shingle ids: each one enters as its low 32 bits, its datasketch hash value."""
        values = np.full(self.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
        if ids.size:
            permuted = np.multiply.outer(self._a, _fmix32(ids.astype(np.uint32)))
            permuted += self._b[:, None]
            values = permuted.min(axis=1)
        return LeanMinHash(seed=self.seed, hashvalues=values, scheme=self.scheme)


def _fmix32(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = x ^ (x >> np.uint32(16))
    return mixed


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
    rows = np.asarray(minhash.hashvalues, dtype=np.uint64)[: config.bands * config.rows].reshape(
        config.bands, config.rows
    )
    weights = np.array([pow(_ROW_BASE, r, 1 << 64) for r in range(config.rows)], dtype=np.uint64)
    buckets = fmix64((rows * weights).sum(axis=1, dtype=np.uint64)).view(np.int64)
    return list(enumerate(buckets.tolist()))


def anchors(mine: np.ndarray, config: DedupConfig) -> np.ndarray:
    """Return the anchor shingles of sorted shingle set ``mine`` as signed 64-bit ids.

    >>> from crawler.dedup.compare import DedupConfig
    >>> config = DedupConfig()
    >>> original = shingles(" ".join(f"w{i}" for i in range(2000)), config)
    >>> copy = shingles(" ".join(f"w{i}" for i in range(1000)), config)  # its first half
    >>> shared = np.intersect1d(anchors(original, config), anchors(copy, config)).size
    >>> shared == anchors(copy, config).size  # every anchor of the copy is one of the original's
    True
    """
    cut = int(np.searchsorted(mine, np.uint64((1 << 64) // config.anchor_rate)))
    return mine[: max(cut, config.anchor_min)].view(np.int64)


def index_keys(mine: np.ndarray, config: DedupConfig) -> list[tuple[int, int]]:
    """Return the index keys of shingle set ``mine``: LSH band keys, then anchors; none for an empty set."""
    if not mine.size:
        return []  # an empty text stays out of the index
    return band_keys(signature(mine, config), config) + [(ANCHOR_BAND, a) for a in anchors(mine, config).tolist()]


@dataclass(frozen=True)
class TextSignals:
    """What dedup needs of a text: its exact fingerprint, its shingle set and that set's LSH band keys."""

    fingerprint: str
    shingles: np.ndarray = field(repr=False)
    band_keys: list[tuple[int, int]] = field(repr=False)

    @property
    def stored(self) -> tuple[str, list[tuple[int, int]]]:
        """Return the exact fingerprint and index keys: what the archive stores of the text."""
        return self.fingerprint, self.band_keys


def text_signals(text: str, config: DedupConfig) -> TextSignals:
    """Return the dedup signals of ``text`` (computed where the page is extracted, off the crawl's thread)."""
    mine = shingles(text, config)
    return TextSignals(fingerprint(text), mine, index_keys(mine, config))
