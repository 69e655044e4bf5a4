"""Credits: the other outlet a copy of a story names as its source.

A repost says where it comes from: "This story was first published by …",
"Editor's note: This article originally appeared in …", "Republished with
permission of …", or a dateline credit "LAKESHORE (Metro Wire) —" on a site
that is not Metro Wire. The original names no other outlet: among copies
published at the same time, it is the one without a credit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.text import words

#: A credit in so many words, about the piece itself ("this story …", or a note opening a line), the outlet after it.
_STATED = re.compile(
    r"(?:\b(?:this|the\s+above)\s+(?:story|article|piece|report|post|column|essay|interview|analysis)"
    r"(?:\s+(?:was|is|has\s+been|were))?|^(?:\W*editor['’]?s\s+note\W*)?)"
    r"\s*(?:first|originally|initially)?\s*(?:published|appeared|ran|posted)"
    r"(?:\s+(?:first|originally))?\s+(?:by|in|on|at|with)\s+(?P<outlet>[^.;:\n]{2,80})"
    r"|\b(?:republished|reprinted|reposted)\s+(?:here\s+)?(?:with|by)\s+(?:the\s+)?(?:kind\s+)?"
    r"permission\s+(?:of|from)\s+(?P<outlet2>[^.;:\n]{2,80})",
    re.IGNORECASE,
)
#: A dateline crediting an outlet at the start of a paragraph: "PASADENA, Calif. (Metro Wire) —", "(CNN) —".
_DATELINE = re.compile(
    r"^\s*(?:[A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]{1,40}(?:,\s*[\w.\- ]{1,30}?)?\s*)?\((?P<outlet>[^()\n]{2,40})\)\s*[—–-]"
)
#: Words an outlet's name may carry that say nothing of which outlet it is.
_NOISE = {"the", "www", "com", "org", "net", "news", "co", "uk", "example"}


def credited_outlet(text: str, own: Iterable[str | None] = ()) -> str | None:
    """Return the outlet ``text`` credits as its source, or None if it credits none but its own.

    ``own`` names the page's outlet (its site name, its host): a dateline naming it is no credit.

    >>> credited_outlet("LAKESHORE (Metro Wire) — Two credit unions will merge.", own=["Riverside Courier"])
    'Metro Wire'
    >>> credited_outlet("LAKESHORE (Metro Wire) — Two credit unions will merge.", own=["Metro Wire"]) is None
    True
    >>> credited_outlet("Editor's note: This story originally appeared in The Ledger.")
    'The Ledger'
    """
    mine = [_name_words(name) for name in own if name]
    for line in text.split("\n"):
        if (found := _DATELINE.match(line)) and not any(_same_outlet(_name_words(found["outlet"]), m) for m in mine):
            return found["outlet"].strip()
        if found := _STATED.search(line):
            return (found["outlet"] or found["outlet2"]).strip()
    return None


def _name_words(name: str) -> list[str]:
    return [w for w in words(name) if w not in _NOISE]


def _same_outlet(a: list[str], b: list[str]) -> bool:
    """Return True if two outlet names are one: the words of one among the other's ("Metro Wire", metrowire.example)."""
    if not a or not b:
        return False
    return set(a) <= set(b) or set(b) <= set(a) or "".join(a) in "".join(b) or "".join(b) in "".join(a)
