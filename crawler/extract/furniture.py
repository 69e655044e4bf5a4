"""Site furniture: what recurs across a site's pages is not article, on that site or any other.

The archive counts, per site, on how many pages each short line appears, and
each sentence at the start or end of a paragraph (furniture is often appended
to the last paragraph: "…votes in March. Tap here to follow us on WhatsApp.").
A line or edge sentence seen on enough of one site's pages is that site's
furniture; learning is per site (a syndicated paragraph recurs across sites, a
site's furniture across its own pages), removal is global: what is furniture
on one site is furniture wherever it appears, so a syndicated copy loses the
originating site's calls to action too. A rotating call to action (one of two
or three per page) is learned when each variant is on ``min_ratio`` of the pages.

A learned line stays where its place says it is part of the story: a lead-in
ending in a dash or colon ("WASHINGTON (AP) —") followed by text, or a subhead
over a paragraph; credit and correction notes of the newsroom ("Jane Roe
contributed to this report.", "Correction: …") are never learned away. Photo
credits ("(Photo : Getty Images)", "Image via Reuters") go by their shape, and a
few generic phrases act as a prior for sites too new to have taught us much.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from crawler import settings as defaults
from crawler.errors import InvalidField
from crawler.text import normalise

#: Furniture phrased the same way on many sites; a prior, not the mechanism.
_GENERIC = re.compile(
    r"^(?:(?:like|follow) us on \w+|advertisement|story continues below(?: advertisement)?"
    r"|share this (?:story|article)|all rights reserved|click here to subscribe)$"
)
_GENERIC_MAX_WORDS = 8
#: A line ending like this introduces the line after it.
_LEAD_IN = re.compile(r"[—–:-]\s*$")
#: A sentence ends at . ! ? or … (and any closing quote or bracket) before a space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+(?=[\"“‘(\[]?[A-Z0-9])")
#: …unless the word before the full stop is a title, a month, a state or a company form, an initial or
#: an acronym ("Gen.", "Calif.", "Inc.", "J.", "U.S."): the abbreviations of news style.
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Cpl|Adm|Maj|Rev|St|Jr|Sr|Inc|Co|Corp|Ltd|Bros|No|vs"
    r"|etc|approx|Jan|Feb|Aug|Sept|Oct|Nov|Dec|Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass"
    r"|Mich|Minn|Miss|Mo|Mont|Neb|Nev|Okla|Ore|Pa|Tenn|Tex|Va|Vt|Wash|Wis|Wyo)|\b[A-Z]|\b(?:[A-Za-z]\.)+[A-Za-z])\.$"
)
#: How many sentences at each end of a paragraph are counted and may be removed…
EDGE_SENTENCES = 2
#: …if they are this short: furniture says little, and most of a story's sentences are longer.
EDGE_MAX_WORDS = 16
#: The shortest and longest run of words counted at a story's end when no full stop sets a sentence apart…
_TAIL_MIN_WORDS = 4
_TAIL_MAX_WORDS = 20
#: …and the shortest learned sentence cut from a paragraph's end there (it starts with a capital).
_TAIL_CUT_MIN_WORDS = 3
#: What a newsroom writes into its stories on purpose, often in the same words: never furniture.
_NEWSROOM_NOTE = re.compile(
    r"contributed (?:reporting )?to this (?:report|story|article)|\bcontributed reporting\b"
    r"|^(?:correction|clarification|update|updated|editor'?s note)\b"
    r"|^this (?:story|article|report) (?:has been|was) (?:corrected|updated|clarified)",
    re.IGNORECASE,
)
#: A photo credit: "(Photo : Getty Images)", "Photo: AP/Jane Doe", "Image via Reuters", "Photograph by …".
_CREDIT_WORDS = r"(?:photo(?:graph)?s?|images?|pictures?|pic|illustrations?|video|file photo|credits?|source)"
_CREDIT = re.compile(
    rf"^\(\s*{_CREDIT_WORDS}\s*(?::|by\b|via\b|courtesy\b)[^()]{{0,80}}\)$"
    rf"|^{_CREDIT_WORDS}\s*(?::|by\b|via\b|courtesy(?: of)?\b|credit\s*:?)\s*\S[^.!?]{{0,60}}\.?$",
    re.IGNORECASE,
)
_CREDIT_MAX_WORDS = 10
#: A caption line led by its credit in brackets: "(Photo : Getty Images) The mayor at…".
_CREDIT_LEAD = re.compile(rf"^\(\s*{_CREDIT_WORDS}\s*(?::|by\b|via\b|courtesy\b)[^()]{{0,80}}\)\s*\S", re.IGNORECASE)


@dataclass(frozen=True)
class BoilerplateConfig:
    """When a recurring line counts as a site's furniture; defaults are the ``BOILERPLATE_*`` settings."""

    #: seen on at least this many of the site's pages…
    min_pages: int = defaults.BOILERPLATE_MIN_PAGES
    #: …and on at least this share of them;
    min_ratio: float = defaults.BOILERPLATE_MIN_RATIO
    #: lines longer than this are never furniture.
    max_words: int = defaults.BOILERPLATE_MAX_WORDS

    def __post_init__(self) -> None:
        if self.min_pages < 2:
            raise InvalidField(
                "min_pages", f"min_pages must be at least 2 (a line on one page recurs nowhere), got {self.min_pages!r}"
            )
        if not 0.0 <= self.min_ratio <= 1.0:
            raise InvalidField("min_ratio", f"min_ratio must be in [0.0, 1.0], got {self.min_ratio!r}")
        if self.max_words < 1:
            raise InvalidField("max_words", f"max_words must be a positive integer, got {self.max_words!r}")


def _key(line: str) -> str:
    return hashlib.blake2b(normalise(line).encode("utf-8"), digest_size=8).hexdigest()


@lru_cache(maxsize=65536)
def line_key(line: str) -> str:
    """Return the key under which a line is counted: equal for lines differing in case or punctuation."""
    return _key(line)


@lru_cache(maxsize=16384)
def sentences(line: str) -> tuple[str, ...]:
    """Return the sentences of a paragraph, in order; abbreviations and initials end none."""
    found, start = [], 0
    for end in _SENTENCE_END.finditer(line):
        if _ABBREVIATION.search(line, start, end.start()) or not line[start : end.start()].strip():
            continue
        found.append(line[start : end.start()].strip())
        start = end.end()
    found.append(line[start:].strip())
    return tuple(s for s in found if s)


def _edges(line: str) -> list[str]:
    """Return the sentences at the start and end of a paragraph of several sentences, those that may be furniture."""
    parts = sentences(line)
    if len(parts) < 2:
        return []
    edge = min(EDGE_SENTENCES, len(parts) - 1)
    return [s for s in {*parts[:edge], *parts[-edge:]} if 1 <= normalise(s).count(" ") < EDGE_MAX_WORDS]


def countable_lines(lines: Iterable[str], max_words: int, dropped: Iterable[str] = ()) -> dict[str, str]:
    """Return ``{key: line}`` for the distinct lines and edge sentences short enough to be furniture.

    The runs of words that end the story's last line, from a capitalised word on,
    count too: a sentence appended where no full stop sets it apart ("… © Reuters
    Get our app."). ``dropped`` are lines extraction removed from the page, counted whole.
    """
    lines = list(lines)
    tails = _tails(lines[-1]) if lines else []
    found: dict[str, str] = {}
    for line in lines:
        for part in (line, *_edges(line)):
            words = normalise(part)
            if words and words.count(" ") < max_words:
                found.setdefault(line_key(part), part)
    for part in (*tails, *dropped):
        words = normalise(part)
        if words and words.count(" ") < max_words:
            found.setdefault(_key(part), part)
    return found


def _tails(line: str) -> list[str]:
    """Return the runs of words ending ``line`` that start with a capital, as a sentence run on to it would."""
    words = line.split()
    return [
        " ".join(words[-n:])
        for n in range(_TAIL_MIN_WORDS, min(_TAIL_MAX_WORDS, len(words) - 1) + 1)
        if words[-n][:1].isupper()
    ]


def is_generic_furniture(line: str) -> bool:
    """Return True for a short line of furniture that reads the same on every site."""
    words = normalise(line)
    return words.count(" ") < _GENERIC_MAX_WORDS and bool(_GENERIC.match(words))


def is_credit(text: str) -> bool:
    """Return True for a photo credit standing alone: "(Photo : Getty Images)", "Image via Reuters"."""
    return len(text.split()) <= _CREDIT_MAX_WORDS and bool(_CREDIT.match(text.strip()))


def is_caption(line: str) -> bool:
    """Return True for a line that is a photo credit or a caption led by one."""
    return is_credit(line) or bool(_CREDIT_LEAD.match(line.strip()))


def is_newsroom_note(text: str) -> bool:
    """Return True for what the newsroom writes on purpose: a contributor credit, a correction or update note."""
    return bool(_NEWSROOM_NOTE.search(text.strip()))


def clean(lines: Iterable[str], learned: Collection[str], headings: Collection[int] = ()) -> list[str]:
    """Return ``lines`` without learned furniture (lines, and sentences at a paragraph's edges), credits and the generic kind.

    ``headings`` are the indexes of the lines that are subheads on their page.
    """
    lines = list(lines)
    kept = []
    for i, line in enumerate(lines):
        if is_generic_furniture(line) or is_caption(line):
            continue
        if line_key(line) in learned and not is_newsroom_note(line) and not _introduces_text(lines, i, headings):
            continue
        line = _without_furniture_edges(line, learned)
        if line and learned:
            line = _without_furniture_tail(line, learned)
        if line:
            kept.append(line)
    return kept


def _without_furniture_edges(line: str, learned: Collection[str]) -> str:
    """Return a paragraph without the learned furniture and credits at its start and end ("" if nothing else is left)."""
    parts = list(sentences(line))
    if len(parts) < 2:
        return line

    def furniture(sentence: str) -> bool:
        return is_credit(sentence) or (line_key(sentence) in learned and not is_newsroom_note(sentence))

    before = len(parts)
    for _ in range(EDGE_SENTENCES):
        if parts and furniture(parts[-1]):
            parts.pop()
    for _ in range(EDGE_SENTENCES):
        if parts and furniture(parts[0]) and not _LEAD_IN.search(parts[0]):
            parts.pop(0)
    return line if len(parts) == before else " ".join(parts)


def _without_furniture_tail(line: str, learned: Collection[str]) -> str:
    """Return a paragraph without a learned sentence run on to its end with no full stop before it ("…Houston Read more.")."""
    if is_newsroom_note(line):
        return line
    words = line.split()
    for n in range(min(_TAIL_MAX_WORDS, len(words) - 1), _TAIL_CUT_MIN_WORDS - 1, -1):
        tail = " ".join(words[-n:])
        if words[-n][:1].isupper() and _key(tail) in learned and not is_newsroom_note(tail):
            return " ".join(words[:-n])
    return line


def _introduces_text(lines: list[str], i: int, headings: Collection[int]) -> bool:
    """Return True if line ``i`` leads into the text after it: a dateline, or a subhead over a paragraph."""
    if i + 1 >= len(lines) or (i + 1) in headings:
        return False
    return i in headings or bool(_LEAD_IN.search(lines[i]))
