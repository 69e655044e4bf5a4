"""Syndicated copies with local edits, and the look-alikes that are stories of their own.

Each edit style is what a local outlet does to a wire story; each trap is a
story that shares text with others without being a copy of any. Both work on a
story's paragraphs with a random generator and a site's own :class:`Wording`,
so that the test web and the benches build them from real texts, several sites
each saying things their own way. Nothing here knows how dedup decides.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crawler.demo.newsweb.site import SUBHEAD, Story

_WORDS = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_CURLY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_STRAIGHT_QUOTE = re.compile(r"\"([^\"]*)\"")


@dataclass(frozen=True)
class Wording:
    """How one site words its notes, credits, roundups and furniture: ``{}`` slots take names, outlets, dates."""

    contributed: tuple[str, ...]
    corrected: tuple[str, ...]
    credit_note: tuple[str, ...]
    roundup_titles: tuple[str, ...]
    roundup_links: tuple[str, ...]
    furniture: tuple[str, ...]
    footer_intro: tuple[str, ...]


#: Three sites' ways of saying the same things; a test or bench gives each site one.
WORDINGS = (
    Wording(
        contributed=("{} contributed to this report.", "{} in {} contributed reporting."),
        corrected=(
            "This story has been corrected to show that the figure was for {}.",
            "Correction: An earlier version of this story misstated the date as {}.",
        ),
        credit_note=("Editor's note: This story was first published by {}.", "This article originally appeared in {}."),
        roundup_titles=("Morning Briefing: what you need to know today", "The {} Digest"),
        roundup_links=("Read the full story.", "More: {}"),
        furniture=("The {} is reader-funded. Join for $3 a month.", "Get the {} app for breaking news alerts."),
        footer_intro=("About {}:", "{} at a glance:"),
    ),
    Wording(
        contributed=("Reporting by {}; additional reporting by {}.", "{} contributed reporting from {}."),
        corrected=(
            "Clarification: This article was updated to reflect that the meeting took place on {}.",
            "This story has been corrected to say that the report was released on {}.",
        ),
        credit_note=(
            "This story was originally published by {} and is republished with permission.",
            "Editor's note: This article first appeared on {}.",
        ),
        roundup_titles=("Five things to know this {}", "Your evening roundup"),
        roundup_links=("Full story here.", "Continue reading on {}"),
        furniture=(
            "Support independent journalism at the {}: become a member today.",
            "Tap here to follow the {} on WhatsApp.",
        ),
        footer_intro=("About {}", "Background on {}:"),
    ),
    Wording(
        contributed=("Staff writer {} contributed to this story.", "With reporting by {} in {}."),
        corrected=(
            "An earlier version of this article gave an incorrect date; it was {}.",
            "Update: This story has been corrected to show the vote was held on {}.",
        ),
        credit_note=("This piece was first published by {}.", "Republished with permission from {}."),
        roundup_titles=("Today's headlines at a glance", "The {} catch-up"),
        roundup_links=("Read more.", "Details: {}"),
        furniture=("Sign up for the {} newsletter and never miss a story.", "Download the {} app."),
        footer_intro=("About {}.", "More about {}:"),
    ),
)

NAMES = ("Jane Roe", "Amir Haddad", "Keiko Sato", "Tomás Ferreira", "Olu Adebayo", "Ingrid Larsen")
PLACES = ("Lagos", "Osaka", "Lisbon", "Denver", "Bergen", "Quito")
DATES = ("March 3", "Tuesday", "June 14", "Oct. 2", "last Friday", "Nov. 21")
COMPANIES = ("Ardent Labs", "Norvale Health", "Brightwater Energy", "Castell Foods", "Quillon Systems")


def words(paragraphs: Sequence[str]) -> int:
    """Return the number of words of ``paragraphs``."""
    return sum(len(_WORDS.findall(p)) for p in paragraphs)


# -- edit styles: what a local outlet does to a wire story ------------------


def local_context(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str]) -> list[str]:
    """Put one or two paragraphs of the outlet's own first (``context``: paragraphs of stories never published).

    They stay under 40 % of the copy's words: what makes it a copy keeping 60 % of its text.
    """
    ours = [p for p in context if words([p]) <= 0.6 * words(body)] or sorted(context, key=len)[:1]
    chosen = rng.sample(ours, 2) if rng.random() < 0.5 and len(ours) > 1 else [rng.choice(ours)]
    if words(chosen) > 0.6 * words(body):
        chosen = chosen[:1]
    return chosen + list(body)


def truncated(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str] = ()) -> list[str]:
    """Keep only the first 40-60 % of the paragraphs (at least two)."""
    return list(body[: max(2, round(len(body) * rng.uniform(0.4, 0.6)))])


def merged(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str] = ()) -> list[str]:
    """Merge two neighbouring paragraphs into one (twice in a long story)."""
    out = list(body)
    for _ in range(1 if len(out) < 8 else 2):
        prose = [
            i for i in range(len(out) - 1) if not out[i].startswith(SUBHEAD) and not out[i + 1].startswith(SUBHEAD)
        ]
        if prose:
            i = rng.choice(prose)
            out[i : i + 2] = [f"{out[i]} {out[i + 1]}"]
    return out


def contributor(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str] = ()) -> list[str]:
    """Add "X contributed to this report." at the end."""
    return list(body) + [rng.choice(w.contributed).format(rng.choice(NAMES), rng.choice(PLACES))]


def correction(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str] = ()) -> list[str]:
    """Add a correction note ("This story has been corrected to…") at the top or the end."""
    note = rng.choice(w.corrected).format(rng.choice(DATES))
    return [note] + list(body) if rng.random() < 0.5 else list(body) + [note]


def quotes_flipped(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str] = ()) -> list[str]:
    """Turn curly quotes straight, or straight ones curly."""
    if any(c in p for p in body for c in "“”‘’"):
        return [p.translate(_CURLY) for p in body]
    return [_STRAIGHT_QUOTE.sub(r"“\1”", p).replace("'", "’") for p in body]


def nbsp(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str] = ()) -> list[str]:
    """Put no-break spaces (``&nbsp;``) after sentences and between a few words."""
    out = []
    for p in body:
        p = _SENTENCE.sub("\u00a0 ", p)
        out.append(re.sub(r" (?=\w)", lambda m: "\u00a0" if rng.random() < 0.1 else " ", p))
    return out


def foreign_furniture(
    body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str] = (), outlet: str = "Ledger"
) -> list[str]:
    """Carry another site's furniture: a line of it, and a sentence of it appended to the last paragraph."""
    line, sentence = (f.format(outlet) for f in rng.sample(list(w.furniture), 2))
    out = list(body)
    out.insert(rng.randrange(1, len(out)), line)
    out[-1] = f"{out[-1]} {sentence}"
    return out


def all_at_once(body: Sequence[str], rng: random.Random, w: Wording, context: Sequence[str]) -> list[str]:
    """Local context, then the first 40-60 % of the paragraphs, a note, quotes flipped: the hardest copy."""
    out = truncated(body, rng, w)
    out = local_context(out, rng, w, context)
    out = (contributor if rng.random() < 0.5 else correction)(out, rng, w)
    return quotes_flipped(out, rng, w)


Edit = Callable[..., list[str]]
#: Every edit style by name.
EDIT_STYLES: dict[str, Edit] = {
    "local context": local_context,
    "first 40-60%": truncated,
    "merged paragraphs": merged,
    "contributor line": contributor,
    "correction note": correction,
    "quotes flipped": quotes_flipped,
    "nbsp": nbsp,
    "other site's furniture": foreign_furniture,
    "all at once": all_at_once,
}


def credited(body: Sequence[str], rng: random.Random, w: Wording, outlet: str, dateline_city: str) -> list[str]:
    """Credit ``outlet`` as the repost's source: a note at the top or the end, or a dateline credit."""
    out = list(body)
    kind = rng.randrange(3)
    if kind == 0:
        return [rng.choice(w.credit_note).format(outlet)] + out
    if kind == 1:
        return out + [rng.choice(w.credit_note).format(outlet)]
    out[0] = f"{dateline_city} ({outlet}) — {out[0]}"
    return out


def repost(
    story: Story,
    style: str,
    rng: random.Random,
    w: Wording,
    *,
    slug: str,
    context: Sequence[str],
    credit: tuple[str, str] | None = None,
    furniture: tuple[Wording, str] | None = None,
) -> Story:
    """Return ``story`` as another site reposts it in edit ``style``, with its own headline and slug.

    ``credit`` (outlet, dateline city) makes the copy name its source; its date stays the original's.
    ``furniture`` (wording, outlet) is the other site whose furniture the copy carries.
    """
    if style == "other site's furniture" and furniture:
        body = foreign_furniture(list(story.body), rng, furniture[0], outlet=furniture[1])
    else:
        body = EDIT_STYLES[style](list(story.body), rng, w, context)
    if credit:
        body = credited(body, rng, w, *credit)
    title = rng.choice(("{} — what we know", "Analysis: {}", "{}, officials say", "Update: {}")).format(
        " ".join(story.title.split()[:7])
    )
    return dataclasses.replace(story, slug=slug, title=title, body=tuple(body))


# -- traps: stories of their own that share text with others ----------------


def quoting(own: Story, quoted: Story, rng: random.Random, *, slug: str) -> Story | None:
    """Return ``own`` quoting two or three consecutive paragraphs of ``quoted``: about 35-40 % of its words.

    ``own`` is cut to its first paragraphs to make that share; None if it is too short for it.
    """
    prose = [p for p in quoted.body if not p.startswith(SUBHEAD)]
    n = rng.randint(2, 3)
    start = rng.randrange(max(1, len(prose) - n + 1))
    quote = prose[start : start + n]
    if words(quote) > 0.4 * words(prose):
        return None  # most of a short story: a copy of it more than a quote
    quote = [f"“{quote[0]}"] + quote[1:-1] + [f"{quote[-1]}”"] if n > 1 else [f"“{quote[0]}”"]
    share = rng.uniform(0.38, 0.43)  # of the words: the shingles across its edges are its own
    budget = words(quote) * (1 - share) / share
    kept: list[str] = []
    for p in own.body:
        if words(kept) >= budget:
            break
        kept.append(p)
    if words(kept) < budget * 0.9:
        return None
    lead = 1 + (len(kept) > 3)
    body = kept[:lead] + [f"As {quoted.author} wrote:"] + quote + kept[lead:]
    return dataclasses.replace(own, slug=slug, body=tuple(body))


def roundup(
    sources: Sequence[Story], rng: random.Random, w: Wording, *, slug: str, outlet: str, published: str, author: str
) -> Story:
    """Return a daily briefing: the headline and first paragraph of each of ``sources``, a story of its own."""
    body: list[str] = []
    for story in sources:
        lede = next(p for p in story.body if not p.startswith(SUBHEAD))
        body += [SUBHEAD + story.title, lede, rng.choice(w.roundup_links).format(outlet)]
    title = rng.choice(w.roundup_titles).format(rng.choice(("week", "Monday", outlet)))
    return Story(slug=slug, title=title, author=author, published=published, section="briefing", body=tuple(body))


def shared_paragraph(paragraphs: Sequence[str], rng: random.Random, w: Wording, *, footer: bool) -> str:
    """Return an 80-100-word paragraph made of real sentences: a background paragraph, or an "About X" footer."""
    sentences = [s for p in paragraphs for s in _SENTENCE.split(p) if 8 <= len(s.split()) <= 40]
    rng.shuffle(sentences)
    target = rng.randint(80, 100)
    intro = rng.choice(w.footer_intro).format(rng.choice(COMPANIES)) if footer else ""
    chosen: list[str] = [intro] if intro else []
    for sentence in sentences:
        if words(chosen) + len(sentence.split()) > target:
            continue
        chosen.append(sentence)
        if words(chosen) >= target - 8:
            break
    return " ".join(chosen)


def with_paragraph(story: Story, paragraph: str, *, footer: bool, slug: str) -> Story:
    """Return ``story`` carrying ``paragraph``: as its last (a footer) or after its second paragraph (background)."""
    body = list(story.body) + [paragraph] if footer else list(story.body[:2]) + [paragraph] + list(story.body[2:])
    return dataclasses.replace(story, slug=slug, body=tuple(body))
