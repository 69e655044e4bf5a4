"""Per-site boilerplate: lines that recur across a site's pages are furniture, not article.

The archive counts, per site, on how many pages each short line appears; a line
seen on enough of the site's pages is dropped from every article of that site.
A few generic phrases act as a prior for sites too new to have taught us much.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_WORDS = re.compile(r"\w+")
#: Furniture phrased the same way on many sites; a prior, not the mechanism.
_GENERIC = re.compile(
    r"^(?:(?:like|follow) us on \w+|advertisement|story continues below(?: advertisement)?"
    r"|share this (?:story|article)|all rights reserved|click here to subscribe)$"
)
_GENERIC_MAX_WORDS = 8


@dataclass(frozen=True)
class BoilerplateConfig:
    """When a recurring line counts as a site's furniture."""

    #: seen on at least this many of the site's pages…
    min_pages: int = 3
    #: …and on at least this share of them;
    min_ratio: float = 0.2
    #: lines longer than this are never furniture.
    max_words: int = 40

    def __post_init__(self) -> None:
        if self.min_pages < 2:
            raise ValueError(f"min_pages must be at least 2 (a line on one page recurs nowhere), got {self.min_pages!r}")
        if not 0.0 <= self.min_ratio <= 1.0:
            raise ValueError(f"min_ratio must be in [0.0, 1.0], got {self.min_ratio!r}")
        if self.max_words < 1:
            raise ValueError(f"max_words must be a positive integer, got {self.max_words!r}")


def normalise(line: str) -> str:
    """Return the words of ``line``, case-folded, single-spaced."""
    return " ".join(_WORDS.findall(line.casefold()))


def line_key(line: str) -> str:
    """Return the key under which a line is counted: equal for lines differing in case or punctuation."""
    return hashlib.blake2b(normalise(line).encode("utf-8"), digest_size=8).hexdigest()


def countable_lines(lines: Iterable[str], max_words: int) -> dict[str, str]:
    """Return ``{key: line}`` for the distinct lines short enough to be furniture."""
    found = {}
    for line in lines:
        words = normalise(line)
        if words and words.count(" ") < max_words:
            found.setdefault(line_key(line), line)
    return found


def is_generic_furniture(line: str) -> bool:
    """Return True for a short line of furniture that reads the same on every site."""
    words = normalise(line)
    return words.count(" ") < _GENERIC_MAX_WORDS and bool(_GENERIC.match(words))


def clean(lines: Iterable[str], learned: set[str]) -> list[str]:
    """Return ``lines`` without the site's learned furniture and the generic kind."""
    return [line for line in lines if line_key(line) not in learned and not is_generic_furniture(line)]
