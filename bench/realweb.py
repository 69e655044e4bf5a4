"""A loopback news web whose pages weigh what real news pages weigh: the extraction-dev pages, copied.

Every article page is one of the 83 real pages of ``../shared/data/extraction-dev``
(median ~115 KB of HTML: nav menus, inline scripts and styles, 100-300 links), as
the site served it, with three changes per copy:

- the text of each paragraph of 12 words or more is replaced by a paragraph drawn
  from all the pages' paragraphs, so no two copies are one story and dedup has
  its usual work to do (a copy shares a paragraph with another now and then);
- each link into the page's own site points into the loopback site instead (a
  hub or another article, chosen by the link's hash), links elsewhere stay;
- its canonical link and ``og:url`` name the copy's own URL.

Hub pages (the home page and sections) are real pages too, with the body replaced
by a list of 100-300 article links; the home page links every hub, the hubs
together every article. Used by ``bench/throughput.py`` (``--web real``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

#: A paragraph this long has its text replaced in each copy.
SWAP_MIN_WORDS = 12
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RealPage:
    """One extraction-dev page: where it was, its parsed tree, the site it came from."""

    url: str
    tree: lxml_html.HtmlElement
    host: str


def load_pages(data: Path) -> list[RealPage]:
    """Return the extraction-dev pages, parsed, in id order."""
    truth = json.loads((data / "ground-truth.json").read_text())
    pages = []
    for path in sorted((data / "html").glob("*.html.gz")):
        url = truth[path.name.removesuffix(".html.gz")]["url"]
        tree = lxml_html.document_fromstring(gzip.decompress(path.read_bytes()).decode("utf-8"))
        pages.append(RealPage(url, tree, urlsplit(url).hostname or ""))
    return pages


def _paragraphs(pages: list[RealPage]) -> list[str]:
    return [
        text
        for page in pages
        for p in page.tree.iter("p")
        if len((text := " ".join(p.text_content().split())).split()) >= SWAP_MIN_WORDS
    ]


def _choose(href: str, salt: str, options: list[str]) -> str:
    digest = hashlib.blake2b(f"{salt}|{href}".encode(), digest_size=8).digest()
    return options[int.from_bytes(digest, "big") % len(options)]


@dataclass
class RealSite:
    """A loopback site of ``articles`` copies of the real pages and its hubs; served by ``NewsWeb``."""

    name: str
    pages: list[RealPage]
    articles: int
    seed: int = 1
    #: articles per hub page, at most (a hub also links every other hub)
    per_hub: int = 150
    base_url: str = ""
    article_paths: list[str] = field(default_factory=list)
    hub_paths: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.article_paths = [f"/news/{i:05d}-{self._slug(i)}/" for i in range(self.articles)]
        hubs = -(-self.articles // self.per_hub)
        self.hub_paths = [f"/section/hub-{i:02d}/" for i in range(hubs)]

    def _slug(self, i: int) -> str:
        title = self.pages[i % len(self.pages)].tree.findtext(".//title") or "story"
        return _SLUG.sub("-", title.lower()).strip("-")[:40].strip("-") or "story"

    def render(self) -> dict[str, tuple[int, str, bytes]]:
        """Return every file of the site: path -> (status, content type, body); called by NewsWeb with base_url set."""
        rng = random.Random(f"{self.seed}|{self.name}")
        pool = _paragraphs(self.pages)
        files: dict[str, tuple[int, str, bytes]] = {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
        }
        targets = self.article_paths + self.hub_paths
        for i, path in enumerate(self.article_paths):
            page = self.pages[i % len(self.pages)]
            tree = deepcopy(page.tree)
            for p in tree.iter("p"):
                if len(p.text_content().split()) >= SWAP_MIN_WORDS:
                    tail, attrs = p.tail, dict(p.attrib)
                    p.clear()
                    p.attrib.update(attrs)
                    p.text, p.tail = rng.choice(pool), tail
            self._localise(tree, page, path, targets)
            files[path] = self._html(tree)
        for i, path in enumerate(self.hub_paths):
            listed = self.article_paths[i * self.per_hub : (i + 1) * self.per_hub]
            files[path] = self._hub(self.pages[i % len(self.pages)], path, listed, f"Section {i}")
        files["/"] = self._hub(self.pages[-1], "/", [], self.name)
        return files

    def _hub(self, page: RealPage, path: str, listed: list[str], title: str) -> tuple[int, str, bytes]:
        """Return a real page with its body replaced by links to ``listed`` and to every hub."""
        tree = deepcopy(page.tree)
        body = tree.body
        for child in list(body):
            body.remove(child)
        body.text = None
        heading = lxml_html.Element("h1")
        heading.text = title
        body.append(heading)
        for paths in (self.hub_paths, listed):
            items = lxml_html.Element("ul")
            for target in paths:
                item = etree.SubElement(items, "li")
                link = etree.SubElement(item, "a", href=target)
                link.text = target.strip("/").split("/")[-1].replace("-", " ")
            body.append(items)
        self._localise(tree, page, path, [])
        return self._html(tree)

    def _localise(self, tree: lxml_html.HtmlElement, page: RealPage, path: str, targets: list[str]) -> None:
        """Point the page's in-site links at ``targets`` (by hash) and its canonical URL at ``path``."""
        own = self.base_url + path
        for link in tree.iter("a"):
            href = link.get("href")
            if not href or href.startswith(("#", "mailto:", "javascript:")) or href.startswith("/section/"):
                continue
            host = urlsplit(href).hostname
            if (host is None or host == page.host) and targets:
                link.set("href", _choose(href, path, targets))
        for element in tree.iter("base"):
            element.drop_tree()
        for element in tree.xpath("//link[@rel='canonical'] | //meta[@property='og:url']"):
            element.set("href" if element.tag == "link" else "content", own)

    @staticmethod
    def _html(tree: lxml_html.HtmlElement) -> tuple[int, str, bytes]:
        body = lxml_html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")
        return 200, "text/html; charset=utf-8", body
