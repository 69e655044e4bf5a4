"""Where a story starts and ends on its page: its prose, the headline group over it, boxes around it.

Extractors keep too much at a story's edges: the headline and its deck, a
byline or a reading time over the text; a promo, a call for comments or a note
about the publisher in small print under it. Each is told apart by where it
stands and how it is styled relative to the story's prose (the tag and class
most of its long paragraphs share), never by what it says.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract import xpaths
from crawler.text import first_word, words

#: Paragraphs this long tell which style the story's prose has.
PROSE_MIN_WORDS = 8
#: The article's prose style is the style of at least this many of its long paragraphs…
PROSE_MIN_PARAGRAPHS = 3
#: …and of at least this share of them.
PROSE_MIN_SHARE = 0.5
#: A block with at least this share of its characters in links is a list of links.
LINK_DENSITY_MAX = 0.5

#: Elements that hold a block of text (a div only when it holds no paragraphs).
_TEXT_BLOCKS = (
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "dd",
    "td",
    "blockquote",
    "figcaption",
    "pre",
    "center",
    "div",
)
_SUBHEAD_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_HEADING_TAGS = frozenset({"h1", *_SUBHEAD_TAGS})
#: Inline styles that set a block's type apart from the text around it (small print, grey print).
_SET_APART_STYLE = re.compile(r"(?:^|;)\s*(?:font-size|color)\s*:", re.IGNORECASE)


class Style(NamedTuple):
    """How a block of text is styled: its tag and class, its container's, and whether its type is set apart."""

    tag: str
    cls: str | None
    parent_tag: str | None
    parent_cls: str | None
    #: its type size or colour set inline
    set_apart: bool


class _Block:
    """One block of text as the page was parsed: its texts (whole, and between its line breaks) and its style."""

    __slots__ = ("_keys", "element", "style", "texts")

    def __init__(self, element: HtmlElement, texts: tuple[str, ...], style: Style) -> None:
        self.element, self.texts, self.style = element, texts, style
        self._keys: set[tuple[str, ...]] | None = None

    @property
    def keys(self) -> set[tuple[str, ...]]:
        """Return the words of each of its texts (computed when first asked: a page's blocks hold much text)."""
        if self._keys is None:
            self._keys = {words(text) for text in self.texts}
        return self._keys


class PageBlocks:
    """The blocks of text of a page as parsed, before extraction prunes it, found by their words.

    The words of a block are read only when a line of output could be that block: a
    page's blocks nest, so together they hold many times its text, and only the
    blocks whose first word starts a line are ever compared with it.
    """

    def __init__(self, blocks: list[_Block], page_labels: frozenset[tuple[str, ...]]) -> None:
        #: every block's position in document order
        self.order = {block.element: i for i, block in enumerate(blocks)}
        #: the words of blocks about the page, not the story: dates and times, headings over lists of links
        self.page_labels = page_labels
        self._by_first_word: dict[str, list[_Block]] = {}
        for block in blocks:
            for first in dict.fromkeys(map(first_word, block.texts)):
                self._by_first_word.setdefault(first, []).append(block)
        self._found: dict[tuple[str, ...], list[_Block]] = {}

    @classmethod
    def of(cls, tree: HtmlElement) -> PageBlocks:
        blocks = []
        # found once for the page, not searched for under every block
        holding_p, holding_br = _holders(tree, "p"), _holders(tree, "br")
        for element in tree.iter(*_TEXT_BLOCKS):
            if element.tag == "div" and element in holding_p:
                continue
            texts = (element.text_content(), *(_segments(element) if element in holding_br else ()))
            blocks.append(_Block(element, texts, _style(element)))
        labels = {words(e.text_content()) for e in xpaths.DATES(tree)}
        labels |= {words(h.text_content()) for h in xpaths.SUBHEADS(tree) if _labels_links(h)}
        return cls(blocks, frozenset(labels))

    def elements(self, key: tuple[str, ...]) -> list[HtmlElement]:
        """Return every block with the words ``key``, in page order."""
        return [block.element for block in self._with(key)]

    def style(self, key: tuple[str, ...]) -> Style | None:
        """Return the style of the first block with the words ``key``, None if there is none."""
        found = self._with(key)
        return found[0].style if found else None

    def _with(self, key: tuple[str, ...]) -> list[_Block]:
        if (found := self._found.get(key)) is None:
            candidates = self._by_first_word.get(key[0] if key else "", [])
            found = self._found[key] = [block for block in candidates if key in block.keys]
        return found


def _holders(tree: HtmlElement, tag: str) -> set[HtmlElement]:
    """Return the elements of ``tree`` that hold a ``tag`` element below them."""
    found: set[HtmlElement] = set()
    for element in tree.iter(tag):
        for ancestor in element.iterancestors():
            if ancestor in found:
                break
            found.add(ancestor)
    return found


def _labels_links(heading: HtmlElement) -> bool:
    """Return True for a heading whose next block is a list of links ("More:", "Related"), links most of its text.

    A list is a list element or a block of several links: one link in a paragraph
    (a heading over "Buy it here") is not, and the heading may be the story's.
    """
    block = heading.getnext()
    while block is not None and not isinstance(block.tag, str):
        block = block.getnext()
    if block is None or (block.tag not in ("ul", "ol") and len(block.findall(".//a")) < 2):
        return False
    return html_link_density(block) >= LINK_DENSITY_MAX


def html_link_density(block: HtmlElement) -> float:
    """Return the share of a block's characters (spaces collapsed) that are link text; 0 for an empty block."""
    text = " ".join(block.text_content().split())
    linked = sum(len(" ".join(a.text_content().split())) for a in block.iter("a"))
    return linked / len(text) if text else 0.0


def without_page_labels(lines: list[str], blocks: PageBlocks) -> list[str]:
    """Return ``lines`` without those that are a date, a time or the heading of a list of links on their page."""
    return [line for line in lines if words(line) not in blocks.page_labels]


def _segments(block: HtmlElement) -> list[str]:
    """Return the texts between the line breaks of a block that holds a ``<br>``: each is a line of output."""
    segments = [""]
    for event, element in etree.iterwalk(block, events=("start", "end")):
        if event == "start" and element.tag == "br":
            segments.append("")
        elif event == "start":
            segments[-1] += element.text or ""
        elif element is not block:
            segments[-1] += element.tail or ""
    return segments


def _style(block: HtmlElement) -> Style:
    parent = block.getparent()
    return Style(
        block.tag,
        block.get("class"),
        None if parent is None else parent.tag,
        None if parent is None else parent.get("class"),
        bool(_SET_APART_STYLE.search(block.get("style") or "")),
    )


def without_styled_edges(lines: list[str], blocks: PageBlocks) -> list[str]:
    """Return ``lines`` without what stands around the story's prose but is not part of it.

    The prose style is the one most of the long paragraphs share; nothing between
    the first and the last such paragraph is dropped. Around them, what stands
    outside the page's ``<article>`` element goes. After them, a block of another
    tag or class, in a container with a class of its own, or in small print (its
    size or colour set inline) is a box the site put under the story: a promo, a
    call for comments, a note about the publisher. Before them, the page's
    headline goes with what stands over it and the headings beside it (kicker,
    deck), and so does a short block styled otherwise (a byline, a reading time, a
    toolbar). List items are never dropped for their style (stories end in
    lists), nor the story's subheads over its first paragraph, and nothing is
    dropped when the story itself is mostly a list.
    """
    found = [blocks.style(words(line)) for line in lines]
    long = Counter(style for line, style in zip(lines, found) if style and len(line.split()) >= PROSE_MIN_WORDS)
    if not long:
        return lines
    prose, count = long.most_common(1)[0]
    if prose.tag == "li" or count < PROSE_MIN_PARAGRAPHS or count < PROSE_MIN_SHARE * sum(long.values()):
        return lines
    first = found.index(prose)
    last = len(found) - 1 - found[::-1].index(prose)
    start, end = blocks.elements(words(lines[first]))[0], blocks.elements(words(lines[last]))[0]
    over = _headline_group(blocks, start)
    story = _story_container(start, end)

    def kept(i: int) -> bool:
        style, found_at = found[i], blocks.elements(words(lines[i]))
        if first <= i <= last:
            return True
        if found_at and (set(found_at) <= over or (story is not None and not any(_within(e, story) for e in found_at))):
            return False
        if style is None or style == prose or style.tag == "li":
            return True
        if i < first:
            return style.tag in _SUBHEAD_TAGS or len(lines[i].split()) >= PROSE_MIN_WORDS
        return style[:2] == prose[:2] and not style.parent_cls and style.set_apart == prose.set_apart

    return [line for i, line in enumerate(lines) if kept(i)]


def _headline_group(blocks: PageBlocks, prose: HtmlElement) -> set[HtmlElement]:
    """Return the blocks that stand over the story's first paragraph as its headline or with it.

    The headline is the last ``h1`` before that paragraph; blocks up to it are
    the page's header (a caption of the lead picture among them), and headings
    beside it (a kicker, a deck) belong with it unless the story's paragraphs
    stand beside it too.
    """
    start = blocks.order.get(prose, 0)
    found = blocks.order.keys()
    headlines = [e for e in found if e.tag == "h1" and blocks.order.get(e, start) < start]
    if not headlines:
        return set()
    headline = max(headlines, key=blocks.order.__getitem__)
    end, parent = blocks.order[headline], headline.getparent()
    beside = parent is not prose.getparent()
    return {
        e
        for e in found
        if blocks.order.get(e, start) <= end or (beside and e.tag in _HEADING_TAGS and e.getparent() is parent)
    }


def _story_container(first: HtmlElement, last: HtmlElement) -> HtmlElement | None:
    """Return the innermost element marked as the article (``<article>``, ``itemprop=articleBody``) holding both paragraphs."""
    for element in first.iterancestors():
        if (element.tag == "article" or element.get("itemprop") == "articleBody") and _within(last, element):
            return element
    return None


def _within(element: HtmlElement, container: HtmlElement) -> bool:
    return element is container or any(a is container for a in element.iterancestors())
