"""Per-site boilerplate: lines that recur across a site's pages are furniture, not article.

The archive counts, per site, on how many pages each short line appears; a line
seen on enough of the site's pages is dropped from every article of that site,
unless where it stands on the page says it is part of the story: a lead-in that
ends in a dash or colon ("WASHINGTON (AP) —") followed by text, or a subhead
followed by a paragraph. (Link-dense blocks never get this far: extraction
drops them.) A few generic phrases act as a prior for sites too new to have
taught us much.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

_WORDS = re.compile(r"\w+")
#: Furniture phrased the same way on many sites; a prior, not the mechanism.
_GENERIC = re.compile(
    r"^(?:(?:like|follow) us on \w+|advertisement|story continues below(?: advertisement)?"
    r"|share this (?:story|article)|all rights reserved|click here to subscribe)$"
)
_GENERIC_MAX_WORDS = 8
#: A line ending like this introduces the line after it.
_LEAD_IN = re.compile(r"[—–:-]\s*$")


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


def clean(lines: Iterable[str], learned: set[str], headings: Collection[int] = ()) -> list[str]:
    """Return ``lines`` without the site's learned furniture and the generic kind.

    ``headings`` are the indexes of the lines that are subheads on their page.
    """
    lines = list(lines)
    return [
        line for i, line in enumerate(lines)
        if not is_generic_furniture(line) and (line_key(line) not in learned or _introduces_text(lines, i, headings))
    ]


def _introduces_text(lines: list[str], i: int, headings: Collection[int]) -> bool:
    """Return True if line ``i`` leads into the text after it: a dateline, or a subhead over a paragraph."""
    if i + 1 >= len(lines) or (i + 1) in headings:
        return False
    return i in headings or bool(_LEAD_IN.search(lines[i]))
