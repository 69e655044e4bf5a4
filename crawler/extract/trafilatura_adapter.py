"""trafilatura behind one door: the only module touching its internals (parser, XML body, tags, metadata).

trafilatura's public API returns text or a ``Document``; the crawl needs more: the
page parsed once and shared with metadata and edge detection, and the main text as
trafilatura's XML so link blocks and headings can be weighed before it becomes lines.
Those parts (``load_html``, ``xmltotxt``, the steps of ``extract_metadata``, the XML tag names) are
not promised to stay; an upgrade of trafilatura is checked here, and by the extraction bench.
"""

from __future__ import annotations

import contextlib
import re

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

# -- trafilatura's body XML ----------------------------------------------
#: A heading of the body (an HTML ``<h2>``…``<h6>``).
HEAD = "head"
#: A link in the body (an HTML ``<a>``).
LINK = "ref"
#: Code, whose spacing is kept.
CODE = "code"
#: The blocks of text of the body: paragraphs, headings, list items, quotes…
BLOCKS = etree.XPath(".//p | .//head | .//item | .//quote")
#: …and what makes a block a container of others rather than one.
INNER_BLOCKS = etree.XPath(".//p | .//item")
#: Lists left without items.
EMPTY_LISTS = etree.XPath(".//list[not(item)]")
#: The headings of the body.
HEADS = etree.XPath(".//head")
#: Every element whose text may be respaced: all but code.
NOT_CODE = etree.XPath("descendant-or-self::*[not(ancestor-or-self::code)]")
#: Characters XML 1.0 has not: the HTML parser decodes them from references (``&#1;``, ``&#xFFFF;``), and
#: trafilatura, building its XML body with lxml, then drops the whole page ("discarding data").
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Links to a path with "/tag" in it, which any tag trafilatura finds is.
_TAG_LINKS = etree.XPath("//a[contains(@href, '/tag')]")
#: A numeric character reference, as the HTML parser reads it (a missing ``;`` ends it too).
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+))")


def parse_html(html: str) -> HtmlElement | None:
    """Return ``html`` parsed as trafilatura parses it (encoding fixes, its cleaning), or None if there is none.

    Characters that XML has not are removed from the tree's text and attributes.
    """
    tree: HtmlElement | None = load_html(html)
    if tree is not None and _refers_to_non_xml(html):
        _drop_non_xml(tree)
    return tree


def _refers_to_non_xml(html: str) -> bool:
    """Return True if ``html`` has a character reference to what XML has not (or beyond U+10FFFF).

    Only references bring such characters into the tree: ``load_html`` removes them
    from the text it parses, and the parser drops what follows a lone surrogate.
    Looking at the page's references spares walking the tree's every element.
    """
    for ref in _REFERENCE.finditer(html):
        code = int(ref[1], 16) if ref[1] else int(ref[2])
        if code > 0x10FFFF or _NOT_XML.match(chr(code)):
            return True
    return False


def _drop_non_xml(tree: HtmlElement) -> None:
    for element in tree.iter():
        if element.text and _NOT_XML.search(element.text):
            element.text = _NOT_XML.sub("", element.text)
        if element.tail and _NOT_XML.search(element.tail):
            element.tail = _NOT_XML.sub("", element.tail)
        for name, value in element.attrib.items():
            if _NOT_XML.search(value):
                element.set(name, _NOT_XML.sub("", value))


def main_body(tree: HtmlElement) -> etree._Element | None:
    """Return trafilatura's main text of ``tree`` as its body XML, None if it finds none.

    Comments are left out; tables and links kept (links weigh link blocks). Its fallback
    extractors (readability, jusText) are not run: they cost a third of the extraction
    (more on large pages: jusText grows with the square of the page) and changed one
    extraction-dev page of 83, for the better. A short main text is still rescued from
    the whole page (trafilatura's baseline). No URL is given: it would only resolve the
    links' targets, which nothing reads (a link is weighed by its text), at about 5% of
    the extraction's time on real pages.
    """
    doc = trafilatura.bare_extraction(
        tree,
        output_format="txt",  # not "python": its text of the body, which nothing reads, is 12% of the extraction
        fast=True,
        include_comments=False,
        include_tables=True,
        include_links=True,
        deduplicate=False,
    )
    if doc is None or isinstance(doc, dict):
        return None
    body: etree._Element | None = doc.body
    return body


def body_lines(body: etree._Element) -> list[str]:
    """Return the non-empty lines of text of a body, stripped, without formatting marks."""
    text: str = xmltotxt(body, include_formatting=False)
    return [line.strip() for line in text.split("\n") if line.strip()]


def strip_links(body: etree._Element) -> None:
    """Replace the links of a body by their text."""
    etree.strip_tags(body, LINK)


def page_document(tree: HtmlElement, url: str) -> Document:
    """Return trafilatura's metadata of the page, as ``trafilatura.metadata.extract_metadata`` finds it.

    Its steps, but for what the crawl does not read: the license (a search of the
    page's links, 0.8 ms a page) and the host name. ``url`` is only read, never fetched.
    """
    meta = trafilatura_metadata
    doc = meta.examine_meta(tree)
    if doc.author and " " not in doc.author:
        doc.author = None
    with contextlib.suppress(Exception):  # its JSON-LD reading has bugs, which its own caller skips too
        doc = meta.extract_meta_json(tree, doc)
    doc.title = doc.title or meta.extract_title(tree)
    doc.author = doc.author or meta.extract_author(tree)
    doc.url = doc.url or meta.extract_url(tree, url)
    doc.date = find_date(tree, **{**set_date_params(extensive=True), "url": doc.url})
    if not doc.sitename:
        doc.sitename = meta.extract_sitename(tree)
    if doc.sitename:
        doc.sitename = doc.sitename.lstrip("@")  # a Twitter handle
        if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
            doc.sitename = doc.sitename.title()
    elif doc.url and (host := meta.META_URL.match(doc.url)):
        doc.sitename = host[1]
    doc.categories = doc.categories or meta.extract_catstags("category", tree)
    # its tag search keeps only links to a /tag/ (or /tags/…) path: a page with none is spared its regex XPaths
    doc.tags = doc.tags or (meta.extract_catstags("tag", tree) if _TAG_LINKS(tree) else [])
    doc.clean_and_trim()
    return doc
