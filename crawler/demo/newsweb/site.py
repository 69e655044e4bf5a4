"""Stories and sites of the loopback news web, rendered to files by path."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from crawler.demo.newsweb import listings, themes, timeline

SUBHEAD = "## "


@dataclass(frozen=True)
class Story:
    """One article: ``body`` holds paragraphs, subheads start with ``## ``."""

    slug: str
    title: str
    author: str
    published: str
    section: str
    body: tuple[str, ...]
    caption: str = ""
    #: When the story was last edited (ISO 8601), announced by sitemaps and feeds; empty if never.
    updated: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Story:
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: tuple(v) if k == "body" else v for k, v in data.items() if k in fields})  # type: ignore[arg-type]

    @property
    def paragraphs(self) -> list[str]:
        """Return the body lines as readers see them (subheads unmarked)."""
        return [line.removeprefix(SUBHEAD) for line in self.body]


def edited(
    story: Story,
    *,
    slug: str | None = None,
    title: str | None = None,
    dateline: str | None = None,
    editor_note: str | None = None,
    keep: int | None = None,
    section: str | None = None,
    author: str | None = None,
    published: str | None = None,
) -> Story:
    """Return ``story`` as another site reposts it: new headline, dateline, note, cut ending, its own date.

    ``keep`` slices the body: ``keep=-2`` drops the last two paragraphs.
    """
    body = list(story.body[:keep] if keep else story.body)
    if dateline:
        body[0] = f"{dateline} {body[0]}"
    if editor_note:
        body.insert(0, editor_note)
    return dataclasses.replace(
        story,
        slug=slug or story.slug,
        title=title or story.title,
        section=section or story.section,
        author=author or story.author,
        published=published or story.published,
        body=tuple(body),
    )


@dataclass
class Site:
    """A news site: a theme, sections and stories, and how it announces them.

    ``discovery`` names what the site offers crawlers besides links from its
    home page: ``sitemap`` (listed in robots.txt), ``news-sitemap`` (a Google
    News sitemap), ``feed`` (RSS, announced in every page's head),
    ``sitemap-index`` (robots.txt names an index of the sitemap),
    ``hidden-sitemap`` (``/sitemap.xml``, named nowhere) and ``atom`` (``/atom.xml``,
    announced nowhere).
    """

    name: str
    theme: str
    stories: list[Story] = field(default_factory=list)
    discovery: tuple[str, ...] = ()
    disallow: str = "/private/"
    base_url: str = ""
    #: Slugs of stories no page links to: only the site's feed or sitemaps announce them.
    unlinked: tuple[str, ...] = ()
    #: Pages that go wrong, served as given and listed in the site's sitemaps: path -> (status, type, body).
    broken: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    #: Listing pages besides home and sections, linked from the home page: see ``listings.EXTRAS``.
    extras: tuple[str, ...] = ()
    #: Stories per listing page (0: one page each); the home page shows the newest page only.
    per_page: int = 0
    #: How a section's next page is reached: ``path`` (/page/2/, linked) or ``query`` (?page=2, only <link rel="next">).
    pagination: str = "path"
    #: robots.txt Crawl-delay in seconds (0: none).
    crawl_delay: float = 0
    #: Sitemaps and feeds list only this many newest stories, as real ones do (0: all).
    announce_latest: int = 0
    #: A paginated archive of every story, linked from every page's footer (see crawler.demo.newsweb.timeline).
    archive: bool = False
    #: Slugs of old stories only the archive lists: no other page, sitemap or feed.
    deep: tuple[str, ...] = ()
    #: The UTC offset of the site's clock (``+09:00``): sitemap and feed dates in it, to the day.
    #: None: full dates as the stories give them.
    clock: str | None = None

    @property
    def sections(self) -> list[str]:
        return sorted({s.section for s in self.stories})

    def article_path(self, story: Story) -> str:
        return themes.get(self.theme).article_path(story)

    def article_url(self, story: Story) -> str:
        return self.base_url + self.article_path(story)

    @property
    def furniture(self) -> list[str]:
        """Return the lines the site prints with every article: none may reach an archive."""
        return themes.get(self.theme).furniture(self)

    def render(self) -> dict[str, tuple[int, str, bytes]]:
        """Return every file of the site: path -> (status, content type, body)."""
        theme = themes.get(self.theme)
        archived = sorted(self.stories, key=lambda s: s.published, reverse=True)
        everything = [s for s in archived if s.slug not in self.deep]
        latest = [s for s in everything if s.slug not in self.unlinked]
        announced = everything[: self.announce_latest] if self.announce_latest else everything
        extras = listings.extra_pages(self, theme, latest)
        home = latest[: self.per_page] if self.per_page else latest
        files: dict[str, tuple[str, str]] = {
            "/": ("text/html", theme.listing(self, self.name, home, home=True, after=listings.extras_nav(extras))),
            "/robots.txt": ("text/plain", self._robots()),
            self.disallow + "subscribers.html": (
                "text/html",
                theme.listing(self, "Subscribers only", latest[:2], home=False),
            ),
        }
        for path, title in theme.pages.items():
            files[path] = ("text/html", theme.listing(self, title, [], home=False))
        for section in self.sections:
            items = [s for s in latest if s.section == section]
            for path, page in listings.paginated(self, theme, f"/section/{section}/", section.title(), items).items():
                files[path] = ("text/html", page)
        files.update((path, ("text/html", page)) for path, page in extras.items())
        if self.archive:
            files.update(
                (path, ("text/html", page)) for path, page in timeline.archive_pages(self, theme, archived).items()
            )
        for story in self.stories:
            related = [s for s in latest if s is not story][:3]
            page = theme.article(self, story, related)
            files[self.article_path(story)] = ("text/html", page)
            # the same page under a second URL, as print views are: its rel=canonical names the first
            files["/print" + self.article_path(story)] = ("text/html", page)
        if "sitemap" in self.discovery or "hidden-sitemap" in self.discovery:
            files["/sitemap.xml"] = ("application/xml", self._sitemap(announced, news=False, pages=list(extras)))
        if "sitemap-index" in self.discovery:
            files["/sitemap-articles.xml"] = (
                "application/xml",
                self._sitemap(announced, news=False, pages=list(extras)),
            )
            files["/sitemap-index.xml"] = ("application/xml", self._sitemap_index(["/sitemap-articles.xml"], announced))
        if "atom" in self.discovery:
            files["/atom.xml"] = ("application/atom+xml", self._atom(announced))
        if "news-sitemap" in self.discovery:
            files["/news-sitemap.xml"] = ("application/xml", self._sitemap(announced, news=True))
        if "feed" in self.discovery:
            files["/feed.xml"] = ("application/rss+xml", self._rss(announced))
        if self.archive:
            files = {p: (c, timeline.with_archive_link(b) if c == "text/html" else b) for p, (c, b) in files.items()}
        rendered = {
            path: (200, f"{ctype}; charset=utf-8", body.encode("utf-8")) for path, (ctype, body) in files.items()
        }
        return rendered | self.broken

    def _robots(self) -> str:
        lines = ["User-agent: *", f"Disallow: {self.disallow}", ""]
        if self.crawl_delay:
            lines.insert(2, f"Crawl-delay: {self.crawl_delay}")
        for name in ("sitemap", "news-sitemap", "sitemap-index"):
            if name in self.discovery:
                lines.append(f"Sitemap: {self.base_url}/{name}.xml")
        return "\n".join(lines) + "\n"

    def _sitemap(self, stories: list[Story], news: bool, pages: Sequence[str] = ()) -> str:
        """Return a sitemap of ``stories``, the broken pages and ``pages`` (plain sitemaps list listings too)."""
        entries = [f"<url><loc>{escape(self.base_url + path)}</loc></url>" for path in [*self.broken, *pages]]
        for story in stories:
            extra = ""
            if news:
                extra = (
                    f"<news:news><news:publication><news:name>{escape(self.name)}</news:name>"
                    "<news:language>en</news:language></news:publication>"
                    f"<news:publication_date>{story.published}</news:publication_date>"
                    f"<news:title>{escape(story.title)}</news:title></news:news>"
                )
            lastmod = story.updated or story.published
            if self.clock is not None:
                lastmod = timeline.w3c_date(lastmod, self.clock)
            entries.append(
                f"<url><loc>{escape(self.article_url(story))}</loc><lastmod>{lastmod}</lastmod>{extra}</url>"
            )
        ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>\n' + "\n".join(entries) + "\n</urlset>\n"
        )

    def _sitemap_index(self, paths: list[str], stories: list[Story]) -> str:
        lastmod = max((s.published for s in stories), default="2019-01-01")
        entries = "".join(
            f"<sitemap><loc>{escape(self.base_url + path)}</loc><lastmod>{lastmod}</lastmod></sitemap>"
            for path in paths
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>\n'
        )

    def _atom(self, stories: list[Story]) -> str:
        def updated(story: Story) -> str:
            if self.clock is None:
                return f"{story.published}T08:00:00Z"
            return timeline.w3c_date(story.updated or story.published, self.clock or "+00:00")

        entries = "".join(
            f"<entry><title>{escape(s.title)}</title><id>{escape(self.article_url(s))}</id>"
            f'<link rel="alternate" type="text/html" href="{escape(self.article_url(s))}"/>'
            f"<updated>{updated(s)}</updated><summary>{escape(s.paragraphs[0][:200])}</summary></entry>"
            for s in stories
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>{escape(self.name)}</title><link rel="self" href="{self.base_url}/atom.xml"/>'
            f"<id>{self.base_url}/</id>{entries}</feed>\n"
        )

    def _rss(self, stories: list[Story]) -> str:
        items = []
        for story in stories:
            date = datetime.fromisoformat(story.published).replace(tzinfo=UTC)
            # Feeds often tag their links for analytics: the crawler must see through it.
            link = self.article_url(story) + "?utm_source=rss&utm_medium=feed"
            published = format_datetime(date)
            updated = f"<atom:updated>{story.updated}</atom:updated>" if story.updated else ""
            if self.clock is not None:
                published = timeline.rss_date(story.published, self.clock)
                updated = (
                    f"<atom:updated>{timeline.w3c_date(story.updated, self.clock or '+00:00')}</atom:updated>"
                    if story.updated
                    else ""
                )
            items.append(
                f"<item><title>{escape(story.title)}</title><link>{escape(link)}</link>"
                f"<pubDate>{published}</pubDate>{updated}"
                f"<description>{escape(story.paragraphs[0][:200])}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f"<title>{escape(self.name)}</title><link>{self.base_url}/</link>" + "".join(items) + "</channel></rss>\n"
        )
