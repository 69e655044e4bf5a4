"""A news web whose furniture takes every form, with the truth of every page: its text, its furniture, what must stay.

Three sites publish stories in layouts of ``furniture_themes`` (Courier, Harbor
Ledger, Valley Post), each in its own words; a fourth (Metro Desk) reposts
their stories still carrying the furniture of the site it took them from.
Into the stories go the lines that recur but are text: a newsroom's
contributor line and correction notes (the same words on a third of a site's
pages), a subhead a few pages share, datelines, a quote two paragraphs repeat,
and a caption that repeats a sentence of the body.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crawler.demo.newsweb.site import SUBHEAD, Site, Story
from furniture_themes import FURNITURE_THEMES

#: What must stay in the text, by kind.
STAYS = ("dateline", "subhead", "contributor", "correction", "quote", "caption_in_body")


@dataclass
class Page:
    """The truth of one article page."""

    site: Site
    story: Story
    #: its true body lines (subheads unmarked)
    truth: list[str]
    #: form -> the furniture the page carries (``carried``: another site's, in a repost)
    furniture: dict[str, list[str]]
    #: kind -> lines of its text that recur or look like furniture but must stay
    stays: dict[str, list[str]]

    @property
    def url(self) -> str:
        """Return the page's URL (once its site is served)."""
        return self.site.article_url(self.story)

    def leaked(self, text: str) -> list[str]:
        """Return the forms of furniture ``text`` holds more often than the true text does (each form once)."""
        found, truth = _words(text), _words("\n".join(self.truth))
        return [
            form
            for form, items in self.furniture.items()
            if any(_count(found, _words(item)) > _count(truth, _words(item)) for item in items if _words(item))
        ]

    def lost(self, text: str) -> list[str]:
        """Return the kinds of text that must stay which ``text`` lacks (each kind once); ``body`` for a true line."""
        found = _words(text)
        kinds = [kind for kind, items in self.stays.items() if any(not _count(found, _words(i)) for i in items)]
        return kinds + (
            ["body"] if any(_words(line) and not _count(found, _words(line)) for line in self.truth) else []
        )


@dataclass
class FurnitureWeb:
    sites: list[Site]
    pages: list[Page] = field(default_factory=list)

    def by_url(self) -> dict[str, Page]:
        """Return the pages by URL: call it once the sites are served."""
        return {page.url: page for page in self.pages}

    def audit(self, texts: Mapping[str, str]) -> dict[str, dict[str, list[str]]]:
        """Return, for archived ``texts`` by URL: ``leaked`` form -> URLs, ``lost`` kind -> URLs, ``missing`` -> URLs."""
        audit: dict[str, dict[str, list[str]]] = {"leaked": {}, "lost": {}, "missing": {}}
        for url, page in self.by_url().items():
            if url not in texts:
                audit["missing"].setdefault("page", []).append(url)
                continue
            for form in page.leaked(texts[url]):
                audit["leaked"].setdefault(form, []).append(url)
            for kind in page.lost(texts[url]):
                audit["lost"].setdefault(kind, []).append(url)
        return audit


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _count(text: str, words: str) -> int:
    """Return how often the run of ``words`` stands in ``text`` (both as ``_words``), on word boundaries."""
    return f" {text} ".count(f" {words} ")


def _with(story: Story, **changes: object) -> Story:
    return dataclasses.replace(story, **changes)


def build_furniture_web(stories: Sequence[Story], per_site: int = 10) -> FurnitureWeb:
    """Return the web built from ``stories`` (at least ``per_site`` + 2 of them), ``per_site`` stories a site."""
    if len(stories) < per_site + 2:
        raise ValueError(f"need at least {per_site + 2} stories, got {len(stories)}")
    web = FurnitureWeb([])
    names = {"courier": "Lakeshore Courier", "harbor": "Harbor Ledger", "valley": "Valley Post"}
    originals: dict[str, list[tuple[Story, dict[str, list[str]]]]] = {}
    for k, layout in enumerate(names):
        picked = [stories[(k * per_site // 2 + i) % len(stories)] for i in range(per_site)]
        originals[layout] = [_with_stays(layout, i, story) for i, story in enumerate(picked)]
    desk_stories = [(story, stays, layout) for layout, items in originals.items() for story, stays in items[1:4]]
    sites = [
        Site(name, layout, [s for s, _ in originals[layout]], discovery=("sitemap",)) for layout, name in names.items()
    ]
    desk = Site("Metro Desk", "desk", [], discovery=("sitemap",))
    carried: dict[str, list[str]] = {}
    for j, (story, stays, layout) in enumerate(desk_stories):
        theme = FURNITURE_THEMES[layout]
        origin = sites[list(names).index(layout)]
        theirs = theme.furniture_of(origin, story)
        line = theirs["appended"][0] if j % 2 else theirs["container"][j // 2 % len(theirs["container"])]
        body = list(story.body)
        if j % 2:  # the origin's sentence still appended to the last paragraph
            last = max(i for i, b in enumerate(body) if not b.startswith(SUBHEAD))
            body[last] = f"{body[last]} {line}"
        else:  # the origin's furniture line still standing between paragraphs
            body.insert(min(3, len(body) - 1), line)
        city = ("WASHINGTON", "CHICAGO", "DENVER")[j % 3]
        body[0] = f"{city} (Metro Desk) — {body[0]}"
        copy = _with(story, slug=f"{story.slug}-desk", body=tuple(body), caption="")
        desk.stories.append(copy)
        carried[copy.slug] = [line]
        dateline = [f"{city} (Metro Desk) —"]
        web_stays = dict(stays, dateline=dateline)
        web_stays.pop("caption_in_body", None)
        originals.setdefault("desk", []).append((copy, web_stays))
    sites.append(desk)
    web.sites = sites
    for site in sites:
        theme = FURNITURE_THEMES[site.theme]
        for story, stays in originals[site.theme]:
            truth = list(story.paragraphs)
            forms = theme.furniture_of(site, story)
            if story.slug in carried:
                truth = _without(truth, carried[story.slug])
                forms["carried"] = carried[story.slug]
            web.pages.append(Page(site, story, truth, forms, stays))
    return web


def _without(lines: list[str], furniture: list[str]) -> list[str]:
    """Return ``lines`` without the given furniture lines, and without it appended to a line."""
    kept = []
    for line in lines:
        for piece in furniture:
            line = line.removesuffix(" " + piece)
        if line not in furniture:
            kept.append(line)
    return kept


_STAFF = {"courier": "Jane Roe", "harbor": "Omar Haddad", "valley": "Lucia Ferrante"}
_NOTES = {
    "courier": "This story has been corrected to show that the vote took place on Tuesday.",
    "harbor": "Correction: An earlier version of this story misstated the date of the hearing.",
    "valley": "Update: This story has been updated with comment from the county.",
}
_SUBHEADS = {"courier": "Looking ahead", "harbor": "What comes next", "valley": "The background"}


def _with_stays(layout: str, i: int, story: Story) -> tuple[Story, dict[str, list[str]]]:
    """Return ``story`` with the recurring text a newsroom writes (by page number ``i``), and that text by kind."""
    body = list(story.body)
    stays: dict[str, list[str]] = {}
    paragraphs = [j for j, line in enumerate(body) if not line.startswith(SUBHEAD)]
    if i % 3 == 0:  # the same staff credit on a third of the site's pages
        body.append(f"{_STAFF[layout]} contributed to this report.")
        stays["contributor"] = [body[-1]]
    if i % 3 == 1:
        body.append(_NOTES[layout])
        stays["correction"] = [body[-1]]
    if i in (2, 5, 8) and len(paragraphs) > 3:  # a subhead three pages share: as many as furniture needs
        body.insert(paragraphs[-2], SUBHEAD + _SUBHEADS[layout])
        stays["subhead"] = [_SUBHEADS[layout]]
    if i == 4 and len(paragraphs) > 3:  # a quote the story repeats
        quote = body[paragraphs[1]]
        body.insert(paragraphs[-1], quote)
        stays["quote"] = [quote]
    if i == 6 and layout == "valley":  # a dateline on a line of its own
        body.insert(0, "SPRINGFIELD, Ore. —")
        stays["dateline"] = [body[0]]
    caption = ""
    if i == 3:  # the photo's caption repeats a sentence of the body
        caption = body[paragraphs[min(2, len(paragraphs) - 1)]]
        stays["caption_in_body"] = [caption]
    return _with(story, body=tuple(body), caption=caption or story.caption), stays
