"""The pages of a news site that are not stories: paginated sections, tag, author, about, search, date archives.

Crawlers must follow them to find stories and must never archive them. Several
are long (a tag description, an author's biography, the about page), so the
length of their text alone would call them articles.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.demo.newsweb.site import Site, Story
    from crawler.demo.newsweb.themes import Theme

#: The kinds of extra pages a site can have (``Site.extras``).
EXTRAS = ("tags", "authors", "about", "search", "archive")

_ABOUT = (
    "{site} was founded by a small group of reporters who believed that a city deserves a newspaper "
    "that reads its council minutes, sits through its court hearings and answers its readers' letters. "
    "Today our newsroom of editors, reporters, photographers and developers publishes around the clock, "
    "in print every morning and online all day, and we still answer every letter we receive.",
    "We are owned by a charitable trust that has no other business interests, and our editors decide "
    "alone what we cover. Corrections are published on the page where the mistake was made, with the "
    "date of the change, and our standards editor reviews every complaint within two working days. "
    "Advertising is sold by a separate team that never sees a story before it is published.",
)
_BIO = (
    "{author} joined {site} after a decade of reporting from courtrooms, statehouses and disaster zones, "
    "and now writes about the people and institutions that shape the region. Before that, {author} worked "
    "for two regional dailies and a wire service, covering elections, floods and three national inquiries, "
    "and taught a reporting class at the state university for several years. Tips are welcome by e-mail "
    "or by post to the newsroom, and sources can always ask to remain anonymous."
)
_TAG_INTRO = (
    "Everything we have published about {tag}: news as it breaks, explainers that put the week in "
    "context, interviews with the people involved, and the analysis of our specialist correspondents, "
    "with the most recent stories first. Follow this topic to be told when a new story is published."
)


def tags_of(story: Story) -> tuple[str, str]:
    """Return the tags of ``story``: one per section, one for every story."""
    return f"{story.section}-news-today", "editors-picks-this-week"


def author_slug(name: str) -> str:
    return "-".join(name.lower().split())


def page_path(site: Site, base: str, number: int) -> str:
    """Return the path of page ``number`` of the listing at ``base``."""
    if number == 1:
        return base
    return f"{base}?page={number}" if site.pagination == "query" else f"{base}page/{number}/"


def paginated(site: Site, theme: Theme, base: str, title: str, stories: list[Story], **parts: str) -> dict[str, str]:
    """Return the pages of a listing, ``site.per_page`` stories each: path -> HTML.

    The next page is announced by ``<link rel="next">`` in the head and, with
    path pagination, also by an "Older stories" link in the page.
    """
    size = site.per_page or max(len(stories), 1)
    chunks = [stories[i : i + size] for i in range(0, len(stories), size)] or [[]]
    pages = {}
    for number, chunk in enumerate(chunks, 1):
        nxt = page_path(site, base, number + 1) if number < len(chunks) else ""
        head = f'<link rel="next" href="{escape(nxt)}">' if nxt else ""
        after = (
            f'<p class="pager"><a href="{escape(nxt)}">Older stories</a></p>'
            if nxt and site.pagination == "path"
            else ""
        )
        pages[page_path(site, base, number)] = theme.listing(
            site, title, chunk, home=False, head=head, after=after, **parts
        )
    return pages


def extra_pages(site: Site, theme: Theme, stories: list[Story]) -> dict[str, str]:
    """Return the site's tag, author, about, search and archive pages: path -> HTML."""

    def top(items: list[Story]) -> list[Story]:
        return items[: site.per_page] if site.per_page else items

    def prose(*paragraphs: str) -> str:
        return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)

    pages: dict[str, str] = {}
    if "tags" in site.extras:
        for tag in sorted({t for s in stories for t in tags_of(s)}):
            items = top([s for s in stories if tag in tags_of(s)])
            intro = prose(_TAG_INTRO.format(tag=tag.replace("-", " ")))
            pages[f"/tag/{tag}/"] = theme.listing(site, f"Tag: {tag}", items, home=False, intro=intro)
    if "authors" in site.extras:
        for author in sorted({s.author for s in stories}):
            items = top([s for s in stories if s.author == author])
            intro = prose(_BIO.format(author=author, site=site.name))
            pages[f"/author/{author_slug(author)}/"] = theme.listing(site, author, items, home=False, intro=intro)
    if "about" in site.extras:
        pages["/about/"] = theme.listing(
            site, f"About {site.name}", [], home=False, intro=prose(*(p.format(site=site.name) for p in _ABOUT))
        )
    if "search" in site.extras:
        pages["/search?q=news"] = theme.listing(site, "Search results for “news”", top(stories), home=False)
    if "archive" in site.extras:
        for month in sorted({s.published[:7] for s in stories}):
            items = top([s for s in stories if s.published.startswith(month)])
            pages[f"/{month.replace('-', '/')}/"] = theme.listing(site, f"Archive {month}", items, home=False)
    return pages


def extras_nav(pages: dict[str, str]) -> str:
    """Return the home page's links to the extra pages."""
    links = " · ".join(f'<a href="{escape(path)}">{escape(path.strip("/") or "home")}</a>' for path in pages)
    return f'<nav class="more">{links}</nav>' if links else ""
