"""Page templates of the loopback news web: three unrelated site designs.

Each theme carries the furniture real news sites wrap around an article —
mastheads, navigation, promo and social lines inside the body, related links,
footers — because that furniture is what the extractor must learn to drop.
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crawler.demo.newsweb.site import Site, Story

SUBHEAD = "## "


class Theme(Protocol):
    #: Paths of the site's furniture pages (about, contact…) its templates link to.
    pages: dict[str, str]

    def article_path(self, story: Story) -> str: ...
    def furniture(self, site: Site) -> list[str]: ...
    def article(self, site: Site, story: Story, related: list[Story]) -> str: ...
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
    ) -> str: ...


def _head(site: Site, title: str, extra: str = "") -> str:
    feed = ""
    if "feed" in site.discovery:
        feed = f'<link rel="alternate" type="application/rss+xml" title="{escape(site.name)}" href="/feed.xml">'
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{feed}{extra}</head>"
    )


def _body(story: Story, subhead: str, furniture: dict[int, str]) -> str:
    """Return the story's body as HTML, subheads in the ``subhead`` pattern, ``furniture[i]`` after line i."""
    parts = []
    for i, line in enumerate(story.body):
        if line.startswith(SUBHEAD):
            parts.append(subhead.format(escape(line.removeprefix(SUBHEAD))))
        else:
            parts.append(f"<p>{escape(line)}</p>")
        if i in furniture:
            parts.append(furniture[i])
    return "".join(parts)


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isupper())


def _story_id(story: Story) -> int:
    return zlib.crc32(story.slug.encode()) % 90000 + 10000


class Topix:
    """A busy portal in the style of the seed page: clock, promos, photo credits."""

    pages = {
        "/about.htm": "About Us",
        "/contact.htm": "Contact Us",
        "/privacy.htm": "Privacy Policy",
        "/homepage.htm": "Make Us Your Homepage",
        "/analytics.htm": "Real Time Analytics",
    }

    def furniture(self, site: Site) -> list[str]:
        """Return the lines this theme prints around or inside every article: none belongs to the article."""
        return [
            "Like Us on Facebook",
            f"Make {_initials(site.name)} Your Homepage",
            "Real Time Analytics",
            "(Photo : Getty Images)",
            site.name.upper(),
            "04/28/2024 06:17:37 am",
            "Related Articles",
            "Print this article",
        ]

    def article_path(self, story: Story) -> str:
        day = story.published.replace("-", "")
        return f"/articles/{_story_id(story)}/{day}/{story.slug}.htm"

    def _top(self, site: Site) -> str:
        nav = "".join(f'<li><a href="/section/{s}/">{escape(s.title())}</a></li>' for s in site.sections)
        return (
            f'<div id="top"><div class="logo"><a href="/">{escape(site.name.upper())}</a></div>'
            '<div class="clock">04/28/2024 06:17:37 am</div>'
            f'<a class="promo" href="/homepage.htm">Make {_initials(site.name)} Your Homepage</a>'
            f'<ul class="menu">{nav}<li><a href="{site.disallow}subscribers.html">Subscribers</a></li></ul></div>'
        )

    def _bottom(self) -> str:
        return (
            '<div id="footer"><div class="links"><a href="/about.htm">About Us</a> | '
            '<a href="/contact.htm">Contact Us</a> | <a href="/privacy.htm">Privacy Policy</a></div>'
            '<div class="widget"><a href="/analytics.htm">Real Time Analytics</a></div></div>'
        )

    def article(self, site: Site, story: Story, related: list[Story]) -> str:
        body = _body(story, "<h2>{}</h2>", {2: '<p class="like-us"><strong>Like Us on Facebook</strong></p>'})
        rel = "".join(f'<li><a href="{site.article_path(s)}">{escape(s.title)}</a></li>' for s in related)
        og = (
            '<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{escape(story.title)}">'
            f'<link rel="canonical" href="{site.article_url(story)}">'
        )
        return (
            _head(site, f"{story.title} : {story.section.title()} : {site.name}", og) + f"<body>{self._top(site)}"
            f'<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/section/{story.section}/">'
            f"{escape(story.section.title())}</a> &gt; {escape(story.title)}</div>"
            f'<div id="content"><div class="title-bar">{escape(story.title)}</div>'
            f'<div class="article"><h1>{escape(story.title)}</h1>'
            f'<div class="byline">By {escape(story.author)} | {story.published}</div>'
            '<div class="photo"><img src="/img/lead.jpg" alt="">'
            f'<span class="caption">(Photo : Getty Images) {escape(story.caption or story.paragraphs[-1][:90])}</span></div>'
            f'<div class="article-text">{body}</div></div>'
            f'<div class="tools"><a href="/print{self.article_path(story)}">Print this article</a></div>'
            f'<div class="related"><h3>Related Articles</h3><ul>{rel}</ul></div></div>'
            f"{self._bottom()}</body></html>"
        )

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
            f'<div class="item"><a href="{site.article_path(s)}">{escape(s.title)}</a>'
            f"<p>{escape(s.paragraphs[0][:160])}…</p></div>"
            for s in stories
        )
        return (
            _head(site, f"{title} : {site.name}", '<meta property="og:type" content="website">' + head)
            + f'<body>{self._top(site)}<div id="content"><h1>{escape(title)}</h1>{intro}{items}{after}</div>'
            f"{self._bottom()}</body></html>"
        )


class Ledger:
    """A modern HTML5 newspaper: JSON-LD, newsletter boxes, follow-us lines."""

    pages = {"/terms/": "Terms of use", "/privacy/": "Privacy"}

    def furniture(self, site: Site) -> list[str]:
        return [
            "Sign up for The Morning Briefing, our free daily newsletter.",
            f"Follow {site.name} on X and Facebook.",
            "Read more",
            f"© 2026 {site.name}. All rights reserved.",
            "Independent news since 1887",
        ]

    def article_path(self, story: Story) -> str:
        y, m, d = story.published.split("-")
        return f"/{story.section}/{y}/{m}/{d}/{story.slug}/"

    def _header(self, site: Site) -> str:
        nav = "".join(f'<a href="/section/{s}/">{escape(s.title())}</a>' for s in site.sections)
        return (
            f'<header class="masthead"><a class="brand" href="/">{escape(site.name)}</a>'
            f'<p class="tagline">Independent news since 1887</p><nav>{nav}'
            f'<a href="{site.disallow}subscribers.html">Subscriber edition</a></nav></header>'
        )

    def _footer(self, site: Site) -> str:
        return (
            f"<footer><p>© 2026 {escape(site.name)}. All rights reserved.</p>"
            '<p><a href="/terms/">Terms of use</a> · <a href="/privacy/">Privacy</a></p></footer>'
        )

    def article(self, site: Site, story: Story, related: list[Story]) -> str:
        ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": story.title,
                "datePublished": story.published,
                "author": {"@type": "Person", "name": story.author},
                "publisher": {"@type": "Organization", "name": site.name},
            }
        )
        body = _body(
            story,
            "<h3>{}</h3>",
            {
                1: "<p><strong>Sign up for The Morning Briefing, our free daily newsletter.</strong></p>",
                4: f"<p><em>Follow {escape(site.name)} on X and Facebook.</em></p>",
            },
        )
        rel = "".join(f'<li><a href="{site.article_path(s)}">{escape(s.title)}</a></li>' for s in related)
        head = f'<script type="application/ld+json">{ld}</script>'
        return (
            _head(site, f"{story.title} | {site.name}", head) + f"<body>{self._header(site)}<main><article>"
            f"<h1>{escape(story.title)}</h1>"
            f'<p class="byline">By <span class="author">{escape(story.author)}</span> · '
            f'<time datetime="{story.published}">{date.fromisoformat(story.published):%B %d, %Y}</time></p>'
            f"{body}"
            f'<section class="read-more"><h2>Read more</h2><ul>{rel}</ul></section>'
            f"</article></main>{self._footer(site)}</body></html>"
        )

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
        cards = "".join(
            f'<li class="card"><h2><a href="{site.article_path(s)}">{escape(s.title)}</a></h2>'
            f"<p>{escape(s.paragraphs[0][:200])}</p></li>"
            for s in stories
        )
        return (
            _head(site, f"{title} | {site.name}", head)
            + f'<body>{self._header(site)}<main><h1>{escape(title)}</h1>{intro}<ul class="cards">{cards}</ul>{after}</main>'
            f"{self._footer(site)}</body></html>"
        )


class Wire:
    """An old table-layout regional site: no structured data, ads inside the story."""

    pages = {"/weather.html": "Weather", "/obituaries.html": "Obituaries"}

    def furniture(self, site: Site) -> list[str]:
        return [
            "Story continues below advertisement",
            "Share this story: Email | Print",
            "More stories",
            f"Copyright 2026 {site.name}.",
            "Your region. Your news.",
            "Most read",
        ]

    def article_path(self, story: Story) -> str:
        return f"/story/{story.published[:4]}/{story.slug}.html"

    def _frame(self, site: Site, title: str, main: str, extra: str = "") -> str:
        nav = " | ".join(f'<a href="/section/{s}/">{escape(s.upper())}</a>' for s in site.sections)
        return (
            _head(site, f"{site.name} - {title}", extra) + '<body><table width="100%"><tr><td colspan="2" class="mast">'
            f'<a href="/"><b>{escape(site.name)}</b></a> &nbsp; Your region. Your news.</td></tr>'
            f'<tr><td class="nav" colspan="2">{nav} | <a href="{site.disallow}subscribers.html">E-EDITION</a></td></tr>'
            f'<tr><td class="main" valign="top">{main}</td>'
            '<td class="rail" valign="top"><b>Most read</b><br><a href="/weather.html">Weather</a><br>'
            '<a href="/obituaries.html">Obituaries</a></td></tr>'
            f'<tr><td colspan="2" class="foot">Copyright 2026 {escape(site.name)}. '
            "This material may not be published, broadcast, rewritten or redistributed.</td></tr>"
            "</table></body></html>"
        )

    def article(self, site: Site, story: Story, related: list[Story]) -> str:
        body = _body(story, "<p><b>{}</b></p>", {3: '<p class="ad">Story continues below advertisement</p>'})
        rel = "<br>".join(f'<a href="{site.article_path(s)}">{escape(s.title)}</a>' for s in related)
        meta = f'<meta name="author" content="{escape(story.author)}">'
        main = (
            f'<span class="headline"><font size="5">{escape(story.title)}</font></span><br>'
            f'<span class="date">Published {story.published}</span><br>'
            f'<div class="story">{body}</div>'
            f"<p>Share this story: Email | Print</p><p><b>More stories</b><br>{rel}</p>"
        )
        return self._frame(site, story.title, main, meta)

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
        rows = "".join(
            f'<p><a href="{site.article_path(s)}"><b>{escape(s.title)}</b></a><br>'
            f"{escape(s.paragraphs[0][:140])}...</p>"
            for s in stories
        )
        return self._frame(site, title, f"<h2>{escape(title)}</h2>{intro}{rows}{after}", head)


class LedgerApp(Ledger):
    """The Ledger relaunched as a script-rendered app: same URLs and listings, but an article page's HTML
    carries only the headline, the standfirst and the metadata; the story's text comes in the page's
    ``__NEXT_DATA__`` JSON for a script to draw. The extraction sees no story: the layout drift health flags.
    """

    def article(self, site: Site, story: Story, related: list[Story]) -> str:
        data = json.dumps({"props": {"pageProps": {"story": {"title": story.title, "body": list(story.paragraphs)}}}})
        data = data.replace("</", "<\\/")  # as JSON allows, so that no "</script>" in the text ends the script
        meta = (
            '<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{escape(story.title)}">'
            f'<meta property="og:site_name" content="{escape(site.name)}">'
            f'<meta name="author" content="{escape(story.author)}">'
            f'<meta property="article:published_time" content="{story.published}T08:00:00Z">'
        )
        standfirst = " ".join(story.paragraphs[0].split()[:24])
        return (
            _head(site, f"{story.title} | {site.name}", meta)
            + f'<body><div id="__next">{self._header(site)}<main><article class="app-article">'
            f'<h1>{escape(story.title)}</h1><p class="standfirst">{escape(standfirst)}…</p>'
            '<div class="article-body" data-hydrate="story"></div>'
            f"</article></main>{self._footer(site)}</div>"
            f'<script id="__NEXT_DATA__" type="application/json">{data}</script></body></html>'
        )


THEMES: dict[str, Theme] = {"topix": Topix(), "ledger": Ledger(), "wire": Wire(), "ledger-app": LedgerApp()}


def get(name: str) -> Theme:
    """Return the theme called ``name``."""
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; choose from {', '.join(THEMES)}") from None
