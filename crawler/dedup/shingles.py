"""Shingles: a text's tokens and the ids of its runs of ``shingle_size`` tokens, vectorised with numpy.

Tokens are runs of word characters (Python's ``\\w``) after ``casefold``, except
that in scripts written without spaces (Chinese, Japanese, Thai, ...) every
character is a token of its own: their shingles are character n-grams. (That is
why tokens are not :func:`crawler.text.words`, which compares lines of Latin-script text.)

A shingle's id is 64 bits: ``poly64`` (a polynomial hash of its tokens, computed for the
whole text in a handful of numpy operations; its low 32 bits are :func:`poly64_hash32`, a
datasketch ``hashfunc``) or ``sha1`` (the low half is datasketch's default ``sha1_hash32``).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from crawler.dedup.compare import DedupConfig

#: Stored with the index: how texts become tokens.
NORMALISATION = "casefold-w+-nospace-chars"

#: Scripts written without spaces between words: each character is a token.
_NOSPACE = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff"
)
_TOKENS = re.compile(rf"(?=\w)[{_NOSPACE}]|[^\W{_NOSPACE}]+")

_MASK64 = (1 << 64) - 1
_CHAR_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_TOKEN_BASE = 0x9E3779B97F4A7C15
_TOKEN_MIX = 0xD6E8FEB86659FD93  # odd: token hashes are multiplied and folded before they are combined
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_EMPTY = np.zeros(0, dtype=np.uint64)
_MULTI = 0xFFFFFFFF  # not a code point
#: Only this many characters of a text are shingled: a million is ~150,000 words, far beyond any article.
MAX_CHARS = 1 << 20
#: Shingle hash functions: poly64 is vectorised, sha1 is datasketch's default (slower, kept for interchange).
HASHFUNCS = ("poly64", "sha1")


def shingles(text: str, config: DedupConfig) -> np.ndarray:
    """Return the shingle set of ``text``: sorted, distinct 64-bit shingle ids (empty for a text without words)."""
    if config.hashfunc == "sha1":
        return sha1_ids(text, config.shingle_size)
    return shingle_ids(text, config.shingle_size)


def tokens(text: str) -> list[str]:
    """Return the normalised tokens of ``text``: casefolded words, single characters in scripts without spaces."""
    return _TOKENS.findall(text.casefold())


def shingle_strings(text: str, size: int) -> list[str]:
    """Return the ``size``-token shingles of ``text`` in order, tokens joined by a space (one shingle for a shorter text).

    Only the first ``MAX_CHARS`` characters count.
    """
    words = tokens(text[:MAX_CHARS])
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def _fmix64_int(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK64
    return x ^ (x >> 33)


def poly64_id(shingle: bytes) -> int:
    """Return the 64-bit id of one shingle string (UTF-8): what :func:`shingle_ids` computes for it."""
    total = 0
    for m, token in enumerate(shingle.decode("utf-8").split(" ")):
        value = sum(ord(c) * pow(_CHAR_BASE, j, 1 << 64) for j, c in enumerate(token)) & _MASK64
        mixed = (value * _TOKEN_MIX) & _MASK64
        total += (mixed ^ (mixed >> 32)) * pow(_TOKEN_BASE, m, 1 << 64)
    return _fmix64_int(total & _MASK64)


def poly64_hash32(shingle: bytes) -> int:
    """Return the 32-bit hash of one shingle (its id's low half): a datasketch ``hashfunc`` equal to the vectorised one."""
    return poly64_id(shingle) & 0xFFFFFFFF


def fmix64(x: np.ndarray) -> np.ndarray:
    """Return the MurmurHash3 64-bit finaliser of every value: a bijection that spreads all bits."""
    shift, m1, m2 = _FMIX64
    x = x ^ (x >> shift)
    x = x * m1
    x = x ^ (x >> shift)
    x = x * m2
    mixed: np.ndarray = x ^ (x >> shift)
    return mixed


@lru_cache(maxsize=1)
def _char_classes() -> np.ndarray:
    """Return, for every code point, 0 (not a word character), 1 (word character) or 2 (a token by itself)."""
    every = "".join(map(chr, range(0x110000)))
    marked = re.sub(r"\w", "\x01", every).encode("utf-32-le", "surrogatepass")
    classes = (np.frombuffer(marked, dtype="<u4") == 1).astype(np.uint8)
    classes[1] = 0  # U+0001 itself is not a word character
    nospace = re.sub(rf"[{_NOSPACE}]", "\x02", every).encode("utf-32-le", "surrogatepass")
    classes[(np.frombuffer(nospace, dtype="<u4") == 2) & (classes == 1)] = 2
    result: np.ndarray = classes
    return result


@lru_cache(maxsize=4)
def _powers(base: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``base**j`` and ``base**-j`` modulo 2**64 for j < n (n a power of two up to 2 * MAX_CHARS, reused)."""
    up = np.full(n, base, dtype=np.uint64)
    up[0] = 1
    down = np.full(n, pow(base, -1, 1 << 64), dtype=np.uint64)
    down[0] = 1
    return np.cumprod(up, dtype=np.uint64), np.cumprod(down, dtype=np.uint64)


@lru_cache(maxsize=1)
def _casefold_table() -> np.ndarray:
    """Return, for every code point, its casefolded code point (``_MULTI`` where it folds to several)."""
    table = np.arange(0x110000, dtype=np.uint32)
    for block in range(0, 0x110000, 256):
        chars = "".join(map(chr, range(block, block + 256)))
        if chars.casefold() == chars:
            continue  # most blocks have no case at all
        for c in chars:
            folded = c.casefold()
            table[ord(c)] = ord(folded) if len(folded) == 1 else _MULTI
    return table


def _codes(text: str) -> np.ndarray:
    """Return the code points of ``text`` casefolded, by table lookup unless a character folds to several."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    codes = _casefold_table().take(raw)
    if codes.size and codes.max() == _MULTI:  # ß, ﬁ, ...: let Python expand them
        return np.frombuffer(text.casefold().encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return codes


def _token_hashes(text: str) -> np.ndarray:
    """Return the mixed polynomial hash of every token of the first ``MAX_CHARS`` characters of ``text``."""
    codes = _codes(text[:MAX_CHARS])
    if not codes.size:
        return _EMPTY
    classes = _char_classes().take(codes)
    word = classes > 0
    alone = classes == 2
    joined = word & ~alone  # a character that may continue into the next one
    first = word.copy()
    first[1:] &= alone[1:] | ~joined[:-1]
    last = word.copy()
    last[:-1] &= alone[:-1] | ~joined[1:]
    starts, ends = np.flatnonzero(first), np.flatnonzero(last) + 1
    if not starts.size:
        return _EMPTY
    up, down = _powers(_CHAR_BASE, 1 << int(codes.size).bit_length())
    prefix = np.zeros(codes.size + 1, dtype=np.uint64)
    np.cumsum(up[: codes.size] * codes, out=prefix[1:])
    mixed = (prefix[ends] - prefix[starts]) * down[starts] * np.uint64(_TOKEN_MIX)
    hashes: np.ndarray = mixed ^ (mixed >> np.uint64(32))
    return hashes


def shingle_ids(text: str, size: int) -> np.ndarray:
    """Return the sorted, distinct 64-bit ids of the ``size``-token shingles of ``text`` (poly64 hash)."""
    hashes = _token_hashes(text)
    if not hashes.size:
        return _EMPTY
    # shingle i is the sum of hashes[i + m] * TOKEN_BASE**m; a text shorter than one shingle is one shingle
    combined = np.correlate(hashes, _shingle_weights(min(size, hashes.size)), "valid")
    return _distinct(fmix64(combined))


@lru_cache(maxsize=8)
def _shingle_weights(size: int) -> np.ndarray:
    return np.array([pow(_TOKEN_BASE, m, 1 << 64) for m in range(size)], dtype=np.uint64)


def _distinct(ids: np.ndarray) -> np.ndarray:
    """Return ``ids`` sorted without repeats (``np.unique`` without its overhead)."""
    ids = np.sort(ids)
    keep = np.ones(ids.size, dtype=bool)
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]


def sha1_ids(text: str, size: int) -> np.ndarray:
    """Return the sorted, distinct 64-bit SHA-1 ids of the shingles of ``text``: low halves are datasketch's ``sha1_hash32``."""
    digests = b"".join(hashlib.sha1(s.encode("utf-8")).digest()[:8] for s in set(shingle_strings(text, size)))
    return _distinct(np.frombuffer(digests, dtype="<u8"))
