"""Words of a text: how a line is compared with another line, one way for the whole core.

Shingling for dedup (:func:`crawler.dedup.shingles.tokens`) is another job: it also splits
scripts written without spaces into characters, so that Chinese or Thai text has shingles.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


def words(text: str) -> tuple[str, ...]:
    """Return the case-folded words of ``text``: equal for lines that differ only in case, spacing or punctuation."""
    return tuple(_WORD.findall(text.casefold()))


def first_word(text: str) -> str:
    """Return ``words(text)[0]``, "" for a text with no words; reads and case-folds only as much of ``text`` as it takes."""
    size = 64
    while True:
        folded = text[:size].casefold()
        match = _WORD.search(folded)
        # a word reaching the end of what was read may go on after it
        if size >= len(text) or (match is not None and match.end() < len(folded)):
            return match.group() if match else ""
        size *= 4


def normalise(text: str) -> str:
    """Return the words of ``text``, case-folded, single-spaced."""
    return " ".join(words(text))


def word_count(text: str) -> int:
    """Return how many words ``text`` has (before case folding, which may split a word: ``İ`` -> ``i̇``)."""
    return len(_WORD.findall(text))
