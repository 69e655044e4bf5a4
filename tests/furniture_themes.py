"""Page templates whose furniture takes every form real sites give it, each site in its own words.

A theme is a layout (where the furniture stands, which container holds it)
and a ``Wording`` (what the site's furniture says), so two sites of one layout
share no furniture line. What each page carries is told by
:meth:`FurnitureTheme.furniture_of`, by form, so tests and benches can look for
every piece of it in what was archived:

- ``appended``: a sentence added to a body paragraph, at its end or start (rotating, one of several);
- ``container``: a line in a bare ``<p>``, a ``<div>`` holding a link, an ``<aside>``,
  between ``<br><br>`` inside a paragraph, or a ``<p>`` with the body's own class;
- ``rotating``: one of two or three calls to action, a paragraph of its own;
- ``caption``: a photo's caption and credit (``<figure>``, ``<div class="photo">``).

Pages weigh what real ones do (~100 KB): scripts, styles and a large menu.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from crawler.demo.newsweb import themes
from crawler.demo.newsweb.themes import SUBHEAD, _head

if TYPE_CHECKING:
    from crawler.demo.newsweb.site import Site, Story

FORMS = ("appended", "container", "rotating", "caption")


@dataclass(frozen=True)
class Wording:
    """What one site's furniture says."""

    #: sentences appended to the last paragraph, one per page in turn
    appended: tuple[str, ...]
    #: lines the layout puts in a container of its own, all on every page
    container: tuple[str, ...]
    #: calls to action shown one per page
    rotating: tuple[str, ...]
    #: photo credits, one per page in turn
    credits: tuple[str, ...]
    #: the site's menu sections
    menu: tuple[str, ...]


def _pick(site: Site, story: Story, options: tuple[str, ...], turn: int) -> str:
    """Return the option a page shows: in turn by the story's place on its site, as ad servers rotate them."""
    place = next((i for i, s in enumerate(site.stories) if s.slug == story.slug), zlib.crc32(story.slug.encode()))
    return options[(place + turn) % len(options)]


def _weight(site: Site, kilobytes: int) -> str:
    """Return the scripts and styles real pages carry: a tag manager's config, a stylesheet."""
    config = {
        "site": site.name,
        "slots": [
            {"id": f"ad-slot-{i}", "sizes": [[300, 250], [728, 90]], "targeting": {"pos": i}}
            for i in range(kilobytes * 4)
        ],
    }
    style = "".join(
        f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 2654435761 % 0xFFFFFF:06x}}}"
        for i in range(kilobytes * 12)
    )
    return f"<style>{style}</style><script>window.__CONFIG__ = {json.dumps(config)};</script>"


def _menu(site: Site, wording: Wording) -> str:
    """Return a mega-menu: the site's sections, each with a dozen topic anchors, and its other desks."""
    links = "".join(
        f'<li><a href="/section/{escape(s)}/">{escape(s.title())}</a><ul>'
        + "".join(
            f'<li><a href="/section/{escape(s)}/#topic-{i}">{escape(s.title())} topic {i}</a></li>' for i in range(12)
        )
        + "</ul></li>"
        for s in site.sections
    )
    desks = "".join(f'<li><a href="/#{escape(d)}">{escape(d.title())}</a></li>' for d in wording.menu)
    return f'<nav class="mega"><ul>{links}{desks}</ul></nav>'


@dataclass(frozen=True)
class FurnitureTheme:
    """One layout of furniture; ``layout`` is ``courier``, ``harbor``, ``valley`` or ``desk``."""

    layout: str
    wording: Wording
    kilobytes: int = 90

    @property
    def pages(self) -> dict[str, str]:
        return {"/about/": "About us", "/contact/": "Contact"}

    def article_path(self, story: Story) -> str:
        return f"/news/{story.published.replace('-', '/')}/{story.slug}.html"

    def furniture(self, site: Site) -> list[str]:
        """Return every furniture line or sentence the site may print with an article (captions aside)."""
        w = self.wording
        return [*w.appended, *w.container, *w.rotating, *w.credits]

    def furniture_of(self, site: Site, story: Story) -> dict[str, list[str]]:
        """Return the furniture ``story``'s page carries, by form (a caption is given with its credit)."""
        w = self.wording
        return {
            "appended": [_pick(site, story, w.appended, 0)],
            "container": list(w.container),
            "rotating": [_pick(site, story, w.rotating, 1)],
            "caption": [_pick(site, story, w.credits, 2), self.caption(story)],
        }

    def caption(self, story: Story) -> str:
        """Return the photo caption of ``story``: its own, else one made of its title."""
        return story.caption or f"A scene from the story {story.title.rstrip('.')}, photographed for this report."

    def article(self, site: Site, story: Story, related: list[Story]) -> str:
        w, f = self.wording, self.furniture_of(site, story)
        credit, caption = f["caption"]
        lines = list(story.body)
        paragraphs = [i for i, line in enumerate(lines) if not line.startswith(SUBHEAD)]
        last = paragraphs[-1]
        # where the site adds its sentence: to the last paragraph, one in the middle, or before the third
        appended_to = {"harbor": paragraphs[len(paragraphs) // 2], "desk": paragraphs[min(2, len(paragraphs) - 1)]}.get(
            self.layout, last
        )
        parts: list[str] = []
        para_class = ' class="body-text"' if self.layout == "harbor" else ""
        for i, line in enumerate(lines):
            if line.startswith(SUBHEAD):
                text = escape(line.removeprefix(SUBHEAD))
                parts.append(f"<h3>{text}</h3>" if self.layout != "valley" else f"<p><strong>{text}</strong></p>")
                continue
            text = escape(line)
            if i == appended_to and self.layout == "desk":  # the sentence leads the paragraph
                text = escape(f["appended"][0]) + " " + text
            elif i == appended_to:
                text += " " + escape(f["appended"][0])
            if self.layout == "valley" and i == paragraphs[min(1, len(paragraphs) - 1)] and i != last:
                # a line of furniture between <br><br> inside the paragraph
                text += f"<br><br>{escape(w.container[0])}<br><br>"
            parts.append(f"<p{para_class}>{text}</p>")
            if i == paragraphs[min(2, len(paragraphs) - 1)] and i != last:
                parts.append(self._container(w))
            if i == paragraphs[min(4, len(paragraphs) - 1)] and i != last:
                parts.append(f"<p>{escape(f['rotating'][0])}</p>")
        if paragraphs.index(last) < 4:
            parts.append(f"<p>{escape(f['rotating'][0])}</p>")
        photo = self._photo(caption, credit)
        rel = "".join(f'<li><a href="{site.article_path(s)}">{escape(s.title)}</a></li>' for s in related)
        meta = (
            '<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{escape(story.title)}">'
            f'<link rel="canonical" href="{site.article_url(story)}">'
            f'<meta name="author" content="{escape(story.author)}">'
            f'<meta property="article:published_time" content="{story.published}">'
        )
        return (
            _head(site, f"{story.title} - {site.name}", meta + _weight(site, self.kilobytes))
            + f'<body><header><a class="logo" href="/">{escape(site.name)}</a>{_menu(site, w)}</header>'
            f'<main><article class="story"><h1>{escape(story.title)}</h1>'
            f'<p class="byline">By {escape(story.author)} · {story.published}</p>'
            f'{photo}<div class="story-body">{"".join(parts)}</div></article>'
            f'<section class="related"><h2>More from {escape(site.name)}</h2><ul>{rel}</ul></section></main>'
            f'<footer><p>© 2026 {escape(site.name)}</p><a href="/about/">About us</a> <a href="/contact/">Contact</a></footer>'
            "</body></html>"
        )

    def _container(self, w: Wording) -> str:
        """Return the site's own furniture in its layout's container."""
        line = w.container[-1]
        if self.layout == "courier":  # a <div> holding a link
            lead, _, linked = line.rpartition(". ")
            return f'<div class="promo-strip">{escape(lead)}. <a href="/app/">{escape(linked)}</a></div>'
        if self.layout == "harbor":  # an <aside>, and a <p> with the body's own class
            return (
                f'<aside class="support"><p>{escape(w.container[0])}</p></aside><p class="body-text">{escape(line)}</p>'
            )
        if self.layout == "valley":  # the first one stands between <br><br>, the last in a bare <p>
            return f"<p>{escape(line)}</p>"
        return f'<p class="note"><em>{escape(line)}</em></p>'

    def _photo(self, caption: str, credit: str) -> str:
        """Return the lead photo with its caption and credit, in the layout's photo block."""
        if self.layout == "courier":
            return f'<div class="photo"><img src="/img/lead.jpg" alt=""><p>{escape(credit)} {escape(caption)}</p></div>'
        if self.layout == "harbor":
            return (
                f'<figure><img src="/img/lead.jpg" alt=""><figcaption>{escape(caption)} '
                f"{escape(credit)}</figcaption></figure>"
            )
        if self.layout == "valley":
            return (
                f'<div class="media"><a href="/img/lead.jpg"><img src="/img/lead-small.jpg" alt=""></a>'
                f'<p class="caption">{escape(caption)}</p><span class="credit">{escape(credit)}</span></div>'
            )
        return f'<div class="wire-photo"><img src="/img/lead.jpg" alt=""><span>{escape(caption)} {escape(credit)}</span></div>'

    def listing(
        self,
        site: Site,
        title: str,
        stories: list[Story],
        home: bool,
        *,
        head: str = "",
        intro: str = "",
        after: str = "",
    ) -> str:
        items = "".join(
            f'<li><h2><a href="{site.article_path(s)}">{escape(s.title)}</a></h2><p>{escape(s.paragraphs[0][:160])}</p></li>'
            for s in stories
        )
        return (
            _head(site, f"{title} - {site.name}", '<meta property="og:type" content="website">' + head)
            + f'<body><header><a class="logo" href="/">{escape(site.name)}</a>{_menu(site, self.wording)}</header>'
            f"<main><h1>{escape(title)}</h1>{intro}<ul>{items}</ul>{after}</main></body></html>"
        )


FURNITURE_THEMES: dict[str, FurnitureTheme] = {
    "courier": FurnitureTheme(
        "courier",
        Wording(
            appended=(
                "Tap here to follow the Courier on WhatsApp.",
                "Get breaking news from the Courier on your phone.",
                "Have a news tip? Email the Courier newsroom.",
            ),
            container=("Never miss a story. Get the Courier app",),
            rotating=(
                "Subscribe to the Courier for 99 cents a week.",
                "Sign up for the Courier's evening newsletter.",
                "Follow the Courier on Instagram for photos from the region.",
            ),
            credits=("(Photo : Getty Images)", "(Photo : Reuters)"),
            menu=("sports", "opinion", "obituaries"),
        ),
    ),
    "harbor": FurnitureTheme(
        "harbor",
        Wording(
            appended=(
                "Read more stories like this in the Harbor Ledger app.",
                "Share your view in the comments below.",
            ),
            container=(
                "The Ledger is reader-funded. Join for $3 a month.",
                "Listen to this article in the Harbor Ledger app.",
            ),
            rotating=(
                "Support local journalism: become a Ledger member today.",
                "Give the gift of news: a Ledger subscription for someone you love.",
            ),
            credits=("Photo: AP/Jane Doe", "Photograph: Sam Lee/Getty Images", "Photo: Harbor Ledger staff"),
            menu=("harbor", "schools", "events"),
        ),
        kilobytes=110,
    ),
    "valley": FurnitureTheme(
        "valley",
        Wording(
            appended=(
                "Download the Valley Post app to read offline.",
                "Valley Post readers can comment on our Facebook page.",
                "This story is part of our series on life in the valley.",
            ),
            container=("Want the news in your inbox? Sign up for Valley Daily.", "Continue reading below."),
            rotating=(
                "Valley Post members see fewer ads. Join now.",
                "Tell us what you think: take our two-minute reader survey.",
                "Ask the Valley Post: send us your questions about the region.",
            ),
            credits=("Image via Reuters", "Image via Valley Post archives"),
            menu=("farm", "weather", "classifieds"),
        ),
        kilobytes=80,
    ),
    "desk": FurnitureTheme(
        "desk",
        Wording(
            appended=(
                "Metro Desk stories may be republished with credit.",
                "Distributed by the Metro Desk news service.",
            ),
            container=("Metro Desk serves 40 partner newsrooms.",),
            rotating=(
                "Partner newsrooms can license Metro Desk photos.",
                "Questions about this story? Contact the Metro Desk editors.",
            ),
            credits=("Picture: Metro Desk", "(Photo : Metro Desk/Ana Ruiz)"),
            menu=("wire", "partners"),
        ),
        kilobytes=70,
    ),
}

# the demo web's themes are looked up by name: these join them for every page built after this import
themes.THEMES.update(FURNITURE_THEMES)
