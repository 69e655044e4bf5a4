"""Where on a page (its HTML, parsed by lxml) extraction looks: every XPath of the extract package, by name.

XPaths over trafilatura's output XML (``<head>``, ``<ref>``, ``<item>``…) are in
:mod:`crawler.extract.trafilatura_adapter`, with the rest of what depends on that library's internals.
"""

from __future__ import annotations

from lxml import etree

# -- page structure ------------------------------------------------------
#: The subheads of a page (its headline aside).
SUBHEADS = etree.XPath("//body//h2 | //body//h3 | //body//h4 | //body//h5 | //body//h6")
#: Elements that give the page's dates: its own time stamps, not the story's text.
DATES = etree.XPath(
    # [@itemprop] first: an attribute's presence is tested at half the cost of its value
    "//body//time | //body//*[@itemprop][@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='dateCreated']"
)
#: Tables that lay out a page: they hold headings or several paragraphs (data tables hold cells of data).
LAYOUT_TABLES = etree.XPath("//table[.//h1 or .//h2 or .//h3 or count(.//p) >= 3]")
#: Photo blocks and their captions.
FIGURES = etree.XPath("//body//figure | //body//figcaption")
#: The blocks of text of the page's article element(s): furniture the extractor drops there is the site's own.
ARTICLE_BLOCKS = etree.XPath(
    "(//body//article | //body//*[@itemprop='articleBody'])//*[self::p or self::li or self::blockquote or self::aside"
    " or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or (self::div and not(.//p))]"
)
#: What a browser would not show: ``hidden``, inline ``display:none`` or ``visibility:hidden``.
HIDDEN = etree.XPath(
    "//body//*[@hidden or @style[contains(translate(., 'DISPLAYNOE ', 'displaynoe'), 'display:none')"
    " or contains(translate(., 'VISBLITYHDEN ', 'visblityhden'), 'visibility:hidden')]]"
)
#: How many elements (comments and processing instructions too) a page has: what its cost grows with.
SIZE = etree.XPath("count(descendant-or-self::* | descendant::comment() | descendant::processing-instruction())")
#: The paragraphs and subheads of one chunk of an article cut into sibling containers…
CHUNK_BLOCKS = etree.XPath(".//p | .//h2 | .//h3 | .//h4 | .//h5 | .//h6")
#: …unless they stand in an aside or a figure.
IN_ASIDE = etree.XPath("ancestor::aside | ancestor::figure")

# -- metadata ------------------------------------------------------------
#: The page's ``<title>``, as a string.
TITLE = etree.XPath("string(//title)")
#: The page's declared languages.
LANGUAGES = etree.XPath("/html/@lang | //meta[@http-equiv='content-language']/@content")
#: The texts of the page's JSON-LD scripts.
JSONLD = etree.XPath("//script[@type='application/ld+json']/text()")
