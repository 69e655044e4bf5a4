"""Article extraction on top of trafilatura: body lines and metadata, no Scrapy.

Beyond plain trafilatura: what a browser would not show (``hidden``, inline
``display:none``) is dropped and layout tables become plain blocks before
extraction; after it, blocks that are mostly link text (related-story lists,
share and follow rows; at the body's edges a lower share is enough) and the
headings they leave behind are dropped, an article cut into sibling
containers gets its other chunks back, date stamps and the headings of
link lists go, and what stands around the story's prose without being part
of it (the headline group over it, promos and small print under it, see
``crawler.extract.edges``) is dropped. Photo blocks go before anything else
(``<figure>``, and the text an ``<img>`` shares a small container with), so a
caption is never read as a paragraph, nor styles a body paragraph it repeats.
Metadata is read from the whole page first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from crawler import settings as defaults
from crawler.extract import trafilatura_adapter, xpaths
from crawler.extract.edges import (
    LINK_DENSITY_MAX,
    PROSE_MIN_WORDS,
    PageBlocks,
    html_link_density,
    without_page_labels,
    without_styled_edges,
)
from crawler.extract.furniture import is_caption
from crawler.extract.links import PageLinks, page_links
from crawler.extract.metadata import PageMetadata, page_metadata
from crawler.text import first_word, word_count, words

#: A block with at least LINK_DENSITY_MAX of its characters in links and at most this many words is navigation.
LINK_BLOCK_MAX_WORDS = 40
#: At the top or bottom of the body, a short block with this share of links is navigation too.
EDGE_LINK_DENSITY_MAX = 0.3
#: How far above the paragraphs' container to look for the article's repeated chunk.
CHUNK_LEVELS = 3
#: A paragraph all in bold and no longer than this, of the prose's class and no sentence, is a subhead.
BOLD_SUBHEAD_MAX_WORDS = 12
#: The text beside an image in a container of at most this many words (and two paragraphs) is its caption.
CAPTION_MAX_WORDS = 60
#: How many containers above an image to look for its caption.
CAPTION_LEVELS = 3
#: Text with more than this share of undecodable characters (U+FFFD) was decoded with the wrong charset.
MAX_UNDECODABLE = 0.01

_SPACES = re.compile(r"\s+")
#: The blocks that hold a caption under an image.
_CAPTION_TAGS = frozenset({"p", "div", "span", "small", "em", "i", "cite"})
#: Containers that hold a story, never one photo.
_NOT_PHOTO_BLOCKS = frozenset({"body", "main", "article", "section", "td", "table", "ul", "ol", "li"})


@dataclass(frozen=True)
class Article:
    """What extraction found on one page; ``lines`` are body paragraphs and subheads."""

    url: str
    lines: tuple[str, ...]
    meta: PageMetadata = field(default_factory=PageMetadata)
    #: indexes of the lines that are subheads
    headings: frozenset[int] = frozenset()
    #: short blocks extraction left out (link rows, boxes around the story, what else its article element
    #: holds): counted towards the site's furniture, so that a copy carrying them on another site loses them too
    dropped: tuple[str, ...] = ()

    @property
    def title(self) -> str | None:
        return self.meta.title

    @property
    def author(self) -> str | None:
        return self.meta.author

    @property
    def published(self) -> str | None:
        return self.meta.published

    @property
    def language(self) -> str | None:
        return self.meta.language

    @property
    def sitename(self) -> str | None:
        return self.meta.sitename

    @property
    def page_type(self) -> str | None:
        return self.meta.page_type

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def word_count(self) -> int:
        return word_count(self.text)


@dataclass(frozen=True)
class Extracted:
    """One page's outcome: an article, or the reason there is none and a detail for the log.

    Reasons: ``empty`` (no main text), ``bad_encoding``, ``not_html``, ``too_large``,
    ``error`` (the extractor failed or its worker died), ``timeout`` (set by the pool).
    """

    article: Article | None
    reason: str | None = None
    detail: str = ""
    #: the page's links, read from its tree before extraction pruned it (None: no tree was parsed)
    links: PageLinks | None = field(default=None, repr=False)


def extract_page(html: str, url: str, max_elements: int = defaults.EXTRACT_MAX_ELEMENTS) -> Extracted:
    """Return the article on ``html`` (fetched from ``url``) or why there is none; never raises.

    Only the HTML is given to trafilatura, never the URL to fetch: fetching is the
    crawler's job (robots.txt, throttling, cache).
    """
    if not html.strip():
        return Extracted(None, "empty", "the page is empty")
    if (bad := html.count("\ufffd")) > MAX_UNDECODABLE * len(html):
        return Extracted(None, "bad_encoding", f"{bad} of {len(html)} characters undecodable: wrong or missing charset")
    if "\x00" in html:
        return Extracted(None, "not_html", "NUL characters: binary data, not HTML")
    links = None
    try:
        tree = trafilatura_adapter.parse_html(html)
        if tree is None:
            return Extracted(None, "empty", "no HTML to parse")
        links = page_links(tree, html, url)
        size = int(xpaths.SIZE(tree))
        if size > max_elements:
            return Extracted(None, "too_large", f"{size} elements, more than {max_elements}", links)
        article = _extract(tree, url)
    except Exception as exc:  # a library bug on one odd page must not end a crawl
        return Extracted(None, "error", repr(exc), links)
    return Extracted(article, links=links) if article else Extracted(None, "empty", "no main text found", links)


def _extract(tree: HtmlElement, url: str) -> Article | None:
    _drop_photo_blocks(tree)
    # before metadata extraction prunes the tree: the page's blocks, and what its article element holds
    blocks = PageBlocks.of(tree)
    in_article = [text for block in xpaths.ARTICLE_BLOCKS(tree) if (text := _short_text(block, LINK_BLOCK_MAX_WORDS))]
    meta = page_metadata(tree, url)  # the whole page, before anything is pruned
    for element in xpaths.HIDDEN(tree):
        element.drop_tree()
    _unwrap_layout_tables(tree)
    body = trafilatura_adapter.main_body(tree)
    if body is None:
        return None
    dropped = _drop_link_blocks(body)
    trafilatura_adapter.strip_links(body)
    _unwrap_source_lines(body)
    lines = _with_sibling_chunks(tree, trafilatura_adapter.body_lines(body))
    heads = {_words(h) for h in body.iter(trafilatura_adapter.HEAD)} | {_words(h) for h in xpaths.SUBHEADS(tree)}
    while lines and meta.title and _words(lines[0]) == _words(meta.title):
        lines.pop(0)  # the headline printed again at the top of the body
    labelled = without_page_labels(lines, blocks)
    lines = without_styled_edges(labelled, blocks)
    if not lines:
        return None
    kept = {_words(line) for line in lines}
    dropped += [line for line in (*labelled, *in_article) if _words(line) not in kept]
    return Article(
        url=meta.canonical_url or url,
        lines=tuple(lines),
        meta=meta,
        headings=frozenset(i for i, line in enumerate(lines) if _words(line) in heads) | _bold_subheads(lines, blocks),
        dropped=tuple(dropped),
    )


def _bold_subheads(lines: list[str], blocks: PageBlocks) -> frozenset[int]:
    """Return the indexes of the lines that are subheads set as bold paragraphs (``<p><strong>What next</strong></p>``).

    Such a line is a paragraph of the prose's own class, all of it bold, short, and
    no sentence: a call to action set in bold is one ("Sign up for our newsletter.")
    or stands in a class of its own.
    """
    long = Counter(
        style.cls
        for line in lines
        if len(line.split()) >= PROSE_MIN_WORDS
        and (style := blocks.style(_words(line))) is not None
        and style.tag == "p"
    )
    if not long:
        return frozenset()
    prose = long.most_common(1)[0][0]
    found = set()
    for i, line in enumerate(lines):
        if len(line.split()) > BOLD_SUBHEAD_MAX_WORDS or line.rstrip()[-1:] in ".!?…;,":
            continue
        element = next(iter(blocks.elements(_words(line))), None)
        if element is None or element.tag != "p" or element.get("class") != prose or len(element) != 1:
            continue
        bold = element[0]
        if bold.tag in ("b", "strong") and not (element.text or "").strip() and not (bold.tail or "").strip():
            found.add(i)
    return frozenset(found)


def _drop_photo_blocks(tree: HtmlElement) -> None:
    """Remove figures and the captions and credits that stand with an image.

    An image's block is its nearest container holding text besides it
    (``<div class="photo"><img><p>…</p></div>``); it is a caption when it is short
    and no story container. A paragraph holding an image is a caption only when
    it reads as one (led by or being a credit): images also stand inline in text.
    An image standing among the story's paragraphs has its caption right after
    it in a block that is no paragraph (``<img><span class="cutline">…``).
    """
    for figure in xpaths.FIGURES(tree):
        if figure.getparent() is not None:  # not inside a figure dropped before it
            figure.drop_tree()
    for img in list(tree.iter("img")):
        block, wrapper = _photo_block(img)
        if block is not None:
            block.drop_tree()
        elif (caption := _caption_beside(wrapper)) is not None:
            caption.drop_tree()


def _photo_block(img: HtmlElement) -> tuple[HtmlElement | None, HtmlElement]:
    """Return the image's photo block (None if it has none) and its largest container holding nothing else."""
    wrapper = img
    for _ in range(CAPTION_LEVELS):
        parent = wrapper.getparent()
        if parent is None or parent.tag in _NOT_PHOTO_BLOCKS or parent.getparent() is None:
            break
        text = _short_text(parent, CAPTION_MAX_WORDS)
        if text == "":
            wrapper = parent
            continue
        headed = next(parent.iterdescendants("h1", "h2", "h3"), None) is not None
        if text is None or headed or len(parent.findall(".//p")) > 2:
            break
        if parent.tag == "p" and not is_caption(text):
            break
        return parent, wrapper
    return None, wrapper


def _caption_beside(wrapper: HtmlElement) -> HtmlElement | None:
    """Return the short block right after an image among paragraphs when it is no paragraph (or reads as a caption)."""
    parent, caption = wrapper.getparent(), wrapper.getnext()
    while caption is not None and not isinstance(caption.tag, str):
        caption = caption.getnext()
    if (
        parent is None
        or caption is None
        or caption.tag not in _CAPTION_TAGS
        or not _short_text(caption, CAPTION_MAX_WORDS)
    ):
        return None
    styles = Counter(p.get("class") for p in parent.findall("p"))
    if not styles:
        return None
    # a paragraph styled apart after an image may be text all the same (a spacing class): it must read as a caption
    if styles.most_common(1)[0][1] < 2 or (caption.tag == "p" and not is_caption(caption.text_content())):
        return None
    return caption


def _short_text(block: HtmlElement, max_words: int) -> str | None:
    """Return the text of ``block``, spaces collapsed, or None once it runs past ``max_words`` (read no further)."""
    found: list[str] = []
    for piece in block.itertext():
        found.extend(piece.split())
        if len(found) > max_words:
            return None
    return " ".join(found)


def _unwrap_source_lines(body: etree._Element) -> None:
    """Join the lines the page's source wrapped inside a paragraph: a paragraph is one line of output.

    Without this, a paragraph whose HTML breaks lines around a link comes out as
    several lines, and a short one of them ("and") can recur on every page of a
    site and be learned as its furniture. ``<lb/>`` (``<br>``) breaks and code stay.
    """
    for element in trafilatura_adapter.NOT_CODE(body):
        if element.text:
            element.text = _SPACES.sub(" ", element.text)
        if element.tail and element.tag != trafilatura_adapter.CODE:
            element.tail = _SPACES.sub(" ", element.tail)


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout into plain blocks, so their paragraphs stay paragraphs.

    A table that holds headings or several paragraphs lays out a page; data tables hold cells of data.
    """
    for table in xpaths.LAYOUT_TABLES(tree):
        own = [
            e
            for e in table.iter("thead", "tbody", "tfoot", "tr", "td", "th")
            if next(e.iterancestors("table")) is table
        ]
        for element in [table, *own]:
            element.tag = "div"


def _with_sibling_chunks(tree: HtmlElement, lines: list[str]) -> list[str]:
    """Return ``lines`` with the article's other chunks when trafilatura kept only one.

    Many sites cut an article into sibling containers of one class (ad slots go in
    between); trafilatura sometimes keeps the first only. The paragraphs of the
    other siblings are added in page order.
    """
    found = {_words(line): i for i, line in enumerate(lines) if len(line.split()) >= PROSE_MIN_WORDS}
    starts = {key[0] if key else "" for key in found}
    chunks: dict[HtmlElement, list[int]] = {}
    for p in tree.iter("p"):
        text = "".join(p.itertext())
        if first_word(text) not in starts:  # it is none of the lines: its words need not be read
            continue
        if (i := found.get(words(text))) is not None and (parent := p.getparent()) is not None and parent.get("class"):
            chunks.setdefault(parent, []).append(i)
    if len(chunks) != 1:
        return lines
    ((chunk, indexes),) = chunks.items()
    if len(indexes) < len(found) / 2:
        return lines
    for unit in [chunk, *chunk.iterancestors()][:CHUNK_LEVELS]:
        siblings = [*list(unit.itersiblings(preceding=True))[::-1], unit, *unit.itersiblings()]
        siblings = [s for s in siblings if s.tag == unit.tag and s.get("class") and s.get("class") == unit.get("class")]
        if len(siblings) > 1:
            merged: list[str] = []
            for sibling in siblings:
                merged.extend(lines if sibling is unit else _chunk_paragraphs(sibling))
            return merged
    return lines


def _chunk_paragraphs(chunk: HtmlElement) -> list[str]:
    """Return the text of a chunk's paragraphs and subheads, without link-dense ones."""
    found = []
    for block in xpaths.CHUNK_BLOCKS(chunk):
        text = " ".join(block.text_content().split())
        if text and html_link_density(block) < LINK_DENSITY_MAX and not xpaths.IN_ASIDE(block):
            found.append(text)
    return found


def _drop_link_blocks(body: etree._Element) -> list[str]:
    """Remove blocks whose text is mostly link text: related-story lists, share and follow rows; return their texts.

    At the edges of the body, where such rows gather, a lower share of links is enough.
    """
    blocks = [b for b in trafilatura_adapter.BLOCKS(body) if not trafilatura_adapter.INNER_BLOCKS(b)]
    density = {b: _link_density(b) for b in blocks}
    removed = [b for b in blocks if density[b] >= LINK_DENSITY_MAX]
    kept = [b for b in blocks if density[b] < LINK_DENSITY_MAX]
    for edge in (kept, kept[::-1]):
        for block in edge:
            if density[block] < EDGE_LINK_DENSITY_MAX:
                break
            removed.append(block)
    texts = [" ".join("".join(block.itertext()).split()) for block in removed]
    for block in removed:
        _remove(block)
    for empty in trafilatura_adapter.EMPTY_LISTS(body):
        _remove(empty)
    for head in trafilatura_adapter.HEADS(body):
        if _heads_nothing(head):
            _remove(head)
    return [text for text in texts if text]


def _heads_nothing(head: etree._Element) -> bool:
    """Return True for a heading with no text after it: it labelled navigation that was removed."""
    for element in head.itersiblings():
        if "".join(element.itertext()).strip():
            return False
    return not (head.tail or "").strip()


def _link_density(block: etree._Element) -> float:
    """Return the share of a short block's characters in links (0 for a long block)."""
    text = " ".join("".join(block.itertext()).split())
    if not text or word_count(text) > LINK_BLOCK_MAX_WORDS:
        return 0.0
    return sum(len(" ".join("".join(ref.itertext()).split())) for ref in block.iter(trafilatura_adapter.LINK)) / len(
        text
    )


def _remove(element: etree._Element) -> None:
    """Remove ``element`` from its tree, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _words(text: str | etree._Element) -> tuple[str, ...]:
    return words(text if isinstance(text, str) else "".join(text.itertext()))
