"""The test suite's news web: three sites built from real article texts, with reposts.

Texts come from ``tests/data`` (real pages of the extraction benchmark and the
seed article); each site wraps them in its own theme and furniture. ``ORIGIN``
is the ground truth: which story every article page carries.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from crawler.demo.newsweb import Site, Story, edited
from crawler.demo.newsweb.listings import EXTRAS

DATA = Path(__file__).parent / "data"

AUTHORS = ["Dana Whitfield", "Marco Ruiz", "Priya Nair", "Tom Okafor", "Lena Brandt"]


def load_seed() -> Story:
    return Story.from_dict(json.loads((DATA / "seed.json").read_text("utf-8")))


def load_articles() -> dict[str, Story]:
    """Return the benchmark articles by slug, with an invented author, date and section."""
    stories = {}
    for i, item in enumerate(json.loads((DATA / "articles.json").read_text("utf-8"))):
        item = dict(
            item,
            author=AUTHORS[i % len(AUTHORS)],
            published=f"2019-11-{10 + i:02d}",
            section=("world", "business", "culture")[i % 3],
        )
        story = Story.from_dict(item)
        stories[story.slug] = story
    return stories


@dataclass
class FixtureWeb:
    sites: list[Site]
    #: (site name, slug) -> slug of the story the page carries
    origin: dict[tuple[str, str], str]
    seed: Story

    def story_by_url(self) -> dict[str, str]:
        """Return article URL -> slug of the story it carries."""
        return {site.article_url(s): self.origin[(site.name, s.slug)] for site in self.sites for s in site.stories}

    def check_archived_once(self, records: list[dict]) -> None:
        """Assert that exported ``records`` hold every story once, each repost as its duplicate, nothing else."""
        truth = self.story_by_url()
        seen: Counter[str] = Counter()
        for record in records:
            story = truth[record["url"]]  # KeyError: a page that is no article page of the web
            urls = [record["url"]] + [d["url"] for d in record["duplicates"]]
            assert {truth[u] for u in urls} == {story}, f"{record['url']} merged different stories"
            seen.update(truth[u] for u in urls)
        assert len(records) == len(set(truth.values()))
        assert sorted(seen.elements()) == sorted(truth.values())  # every page found, none twice


def _find(stories: dict[str, Story], words: str) -> Story:
    (slug,) = [s for s in stories if words in s]
    return stories[slug]


def build_test_web() -> FixtureWeb:
    a = load_articles()
    seed = load_seed()
    meth_usa, meth_nj = _find(a, "meth-we-re-on-it-south"), _find(a, "south-dakota-doubles-down")
    doobie_cle, doobie_bb = _find(a, "doobie-brothers-to-reunite"), _find(a, "50th-anniversary")
    duvet_ls, duvet_forbes = _find(a, "develops-feather-duvet"), _find(a, "bedding-gave-him")
    moon_aj, moon_sn = _find(a, "commercial-moon-shot"), _find(a, "five-companies")
    wework, titan, alibaba = _find(a, "investigating-wew"), _find(a, "moon-titan"), _find(a, "alibaba")
    omar, solar, tories, heli = _find(a, "omar"), _find(a, "solar-costs"), _find(a, "tories"), _find(a, "helicopter")

    origin: dict[tuple[str, str], str] = {}

    def site(name: str, theme: str, discovery: tuple[str, ...], stories: list[tuple[Story, Story]]) -> Site:
        for page, source in stories:
            origin[(name, page.slug)] = source.slug
        # the last story is announced only by the site's sitemap or feed, linked from no page
        return Site(name, theme, [page for page, _ in stories], discovery=discovery, unlinked=(stories[-1][0].slug,))

    def same(story: Story) -> tuple[Story, Story]:
        return story, story

    topix = site(
        "China Topix", "topix", ("sitemap",), [same(seed), same(wework), same(titan), same(meth_usa), same(moon_aj)]
    )
    ledger = site(
        "The Daily Ledger",
        "ledger",
        ("feed",),
        [
            (
                edited(
                    seed,
                    slug="us-ready-to-talk-thaad",
                    title="US ready to talk to China about THAAD missile shield",
                    dateline="WASHINGTON —",
                    keep=-2,
                ),
                seed,
            ),
            same(meth_nj),
            same(duvet_ls),
            same(doobie_bb),
            same(heli),
            (
                edited(
                    alibaba,
                    slug="alibaba-hong-kong-listing",
                    title="Alibaba sets Hong Kong listing",
                    editor_note="Editor's note: This article has been updated with the final offer size.",
                ),
                alibaba,
            ),
        ],
    )
    wire = site(
        "Metro Wire",
        "wire",
        ("news-sitemap",),
        [
            same(alibaba),
            same(duvet_forbes),
            same(doobie_cle),
            same(omar),
            same(solar),
            same(tories),
            same(moon_sn),
            (
                edited(
                    titan,
                    slug="titan-map",
                    title="Scientists map Titan",
                    dateline="PASADENA, Calif. (Metro Wire) —",
                    keep=-3,
                ),
                titan,
            ),
        ],
    )
    wire.broken = {
        "/story/2019/server-error.html": (500, "text/html", b"<html><body>Internal error</body></html>"),
        "/story/2019/truncated.html": (
            200,
            "text/html; charset=utf-8",
            b"<html><head><title>Cut</title></head><body><p>Half a sen",
        ),
        "/story/2019/garbage.html": (200, "text/html; charset=utf-8", bytes(range(256)) * 40),
    }
    return FixtureWeb([topix, ledger, wire], origin, seed)


@dataclass
class GrowingWeb:
    """A small web for re-crawl tests: two sites now, and stories each publishes later."""

    sites: list[Site]
    #: site name -> stories :meth:`publish_later` adds
    later: dict[str, list[Story]]

    def publish_later(self) -> None:
        for site in self.sites:
            site.stories.extend(self.later.pop(site.name, []))

    def article_urls(self) -> list[str]:
        return [site.article_url(story) for site in self.sites for story in site.stories]


def build_growing_web() -> GrowingWeb:
    """Return a sitemap site and a feed site of four stories each, two more each to come.

    One story to come on each site is announced only by its sitemap or feed; one page of the
    sitemap site is always overloaded (503).
    """
    stories = [load_seed(), *load_articles().values()]
    topix = Site("Growing Topix", "topix", stories[0:4], discovery=("sitemap",), unlinked=(stories[9].slug,))
    topix.broken = {"/story/overloaded.html": (503, "text/html", b"<html><body>Try again later</body></html>")}
    ledger = Site("Growing Ledger", "ledger", stories[4:8], discovery=("feed",), unlinked=(stories[11].slug,))
    return GrowingWeb([topix, ledger], {topix.name: stories[8:10], ledger.name: stories[10:12]})


#: Days before today each story of a discovery site was published: the newest is announced
#: only by the site's sitemap or feed; the oldest linked one only by page 2 of its section.
AGES = (0, 1, 3, 6, 20)
#: Sections by age: three world stories linked from listings, so world has a second page.
SECTIONS = ("business", "world", "culture", "world", "world")


@dataclass
class DiscoveryWeb:
    """Sites with every kind of listing page and one discovery channel each.

    - Herald (ledger theme, JSON-LD): robots.txt names a sitemap index; the sitemap lists listings too.
    - Courier (wire theme, no metadata): a /sitemap.xml named nowhere; next pages only by <link rel="next">.
    - Gazette (topix theme, og:type): an /atom.xml announced nowhere, listing the 3 newest stories;
      robots.txt asks for a Crawl-delay.
    """

    sites: list[Site]
    today: date

    def article_urls(self, site: Site | None = None) -> set[str]:
        return {s.article_url(story) for s in ([site] if site else self.sites) for story in s.stories}

    def site(self, name: str) -> Site:
        (site,) = [s for s in self.sites if s.name == name]
        return site


def build_discovery_web(today: date, crawl_delay: float = 0.1) -> DiscoveryWeb:
    articles = list(load_articles().values())

    def site(name: str, theme: str, first: int, **options: object) -> Site:
        # one author per site, so that an author page (newest stories first) does not reach the oldest story
        stories = [
            dataclasses.replace(
                story,
                published=(today - timedelta(days=age)).isoformat(),
                section=section,
                author=AUTHORS[first // len(AGES)],
            )
            for story, age, section in zip(articles[first : first + len(AGES)], AGES, SECTIONS)
        ]
        return Site(name, theme, stories, unlinked=(stories[0].slug,), extras=EXTRAS, per_page=2, **options)

    return DiscoveryWeb(
        [
            site("Herald", "ledger", 0, discovery=("sitemap-index",)),
            site("Courier", "wire", 5, discovery=("hidden-sitemap",), pagination="query", announce_latest=3),
            site("Gazette", "topix", 10, discovery=("atom",), announce_latest=3, crawl_delay=crawl_delay),
        ],
        today,
    )


def load_drift_articles(kind: str) -> list[Story]:
    """Return the drift web's second-crawl stories of ``kind`` (brief, full, relaunch), dated after the others."""
    items = [item for item in json.loads((DATA / "drift_articles.json").read_text("utf-8")) if item["kind"] == kind]
    return [
        Story.from_dict(
            dict(
                item,
                author=AUTHORS[i % len(AUTHORS)],
                published=f"2019-12-{1 + i:02d}",
                section=("world", "business")[i % 2],
            )
        )
        for i, item in enumerate(items)
    ]


@dataclass
class DriftWeb:
    """Three sites crawled twice: between the crawls one relaunches its template, one has a day of briefs.

    - Steady Tribune (wire theme): five stories, then five more.
    - Relaunch Ledger (ledger theme): five stories, then it moves to ``ledger-app``, whose article pages
      carry their text only in a script's JSON, and publishes five more.
    - Brief Courier (topix theme): five stories, then five real news briefs of 90-210 words.
    """

    sites: list[Site]

    def site(self, name: str) -> Site:
        (site,) = [s for s in self.sites if s.name == name]
        return site

    def change(self) -> None:
        """What happens between the two crawls."""
        self.site("Relaunch Ledger").theme = "ledger-app"
        for name, kind in (("Steady Tribune", "full"), ("Relaunch Ledger", "relaunch"), ("Brief Courier", "brief")):
            self.site(name).stories.extend(load_drift_articles(kind))


def build_drift_web() -> DriftWeb:
    articles = list(load_articles().values())
    return DriftWeb(
        [
            Site("Steady Tribune", "wire", articles[0:5], discovery=("news-sitemap",)),
            Site("Relaunch Ledger", "ledger", articles[5:10], discovery=("feed",)),
            Site("Brief Courier", "topix", articles[10:15], discovery=("sitemap",)),
        ]
    )


# -- a web with a past: deep archives, briefs, edits dated in the sites' own clocks -------------------------------


def load_briefs() -> list[Story]:
    """Return news briefs of 30-80 words (``tests/data/briefs.json``), without author, date or section yet."""
    return [
        Story(slug=b["slug"], title=b["title"], author="", published="", section="", body=tuple(b["body"]))
        for b in json.loads((DATA / "briefs.json").read_text("utf-8"))
    ]


#: Days before today of a deep web site's stories: two recent articles, two briefs, two deep archive stories.
DEEP_AGES = {"recent": (2, 5), "brief": (1, 3), "deep": (150, 210)}


@dataclass
class DeepWeb:
    """Three sites whose old stories only their paginated archive reaches, from page 4 on.

    - Evening Post (ledger theme, JSON-LD ``NewsArticle``): a sitemap dated at midnight +09:00, no feed
      (so the usual feed paths are probed, and 404).
    - Valley Courier (wire theme, no metadata at all): a Google News sitemap dated at midnight -05:00, which
      alone declares its briefs articles; its pages are numbered ``?page=N``, announced only by ``<link rel="next">``.
    - Coast Gazette (topix theme, ``og:type`` article): an RSS feed dated in +05:30, no sitemap.

    :meth:`change` publishes one story and one brief more per site, and edits one story per site; the edit is
    dated yesterday (earlier than any crawl of today), to the day, in the site's clock.
    """

    sites: list[Site]
    today: date
    later: dict[str, list[Story]]
    #: site name -> the story as first published, before :meth:`change` edited it
    edited: dict[str, Story] = dataclasses.field(default_factory=dict)

    def site(self, name: str) -> Site:
        (site,) = [s for s in self.sites if s.name == name]
        return site

    def article_paths(self, site: Site) -> set[str]:
        return {site.article_path(story) for story in site.stories}

    def deep_paths(self, site: Site) -> set[str]:
        return {site.article_path(story) for story in site.stories if story.slug in site.deep}

    def change(self, addition: str) -> None:
        """Publish the later stories and edit the newest recent story of each site, dated yesterday."""
        yesterday = (self.today - timedelta(days=1)).isoformat()
        for site in self.sites:
            site.stories.extend(self.later.pop(site.name))
            index = next(i for i, s in enumerate(site.stories) if len(s.body) > 2 and s.slug not in site.deep)
            story = site.stories[index]
            self.edited[site.name] = story
            site.stories[index] = dataclasses.replace(
                story, title=story.title + " (updated)", body=(*story.body, addition), updated=yesterday
            )


def build_deep_web(today: date) -> DeepWeb:
    articles = list(load_articles().values())
    briefs = load_briefs()

    def dated(story: Story, age: int, section: str, author: str) -> Story:
        return dataclasses.replace(
            story, published=(today - timedelta(days=age)).isoformat(), section=section, author=author
        )

    sites, later = [], {}
    plans = [
        ("Evening Post", "ledger", ("sitemap",), "+09:00", "path"),
        ("Valley Courier", "wire", ("news-sitemap",), "-05:00", "query"),
        ("Coast Gazette", "topix", ("feed",), "+05:30", "path"),
    ]
    for n, (name, theme, discovery, clock, pagination) in enumerate(plans):
        mine, author = articles[5 * n : 5 * n + 5], AUTHORS[n]
        recent = [
            dated(s, age, ("world", "business")[i], author) for i, (s, age) in enumerate(zip(mine, DEEP_AGES["recent"]))
        ]
        deep = [dated(s, age, "world", author) for s, age in zip(mine[2:4], DEEP_AGES["deep"])]
        short = [dated(s, age, "business", author) for s, age in zip(briefs[2 * n : 2 * n + 2], DEEP_AGES["brief"])]
        site = Site(
            name,
            theme,
            recent + short + deep,
            discovery=discovery,
            per_page=1,
            pagination=pagination,
            archive=True,
            deep=tuple(s.slug for s in deep),
            clock=clock,
        )
        sites.append(site)
        later[name] = [dated(mine[4], 0, "world", author)]
    later["Evening Post"].append(dated(briefs[6], 0, "business", AUTHORS[0]))
    return DeepWeb(sites, today, later)
