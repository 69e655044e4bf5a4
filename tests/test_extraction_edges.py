"""Extraction: boxes styled unlike the story's prose at its edges are not article text; the story's own ends are."""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extract.article import extract_page
from crawler.extract.edges import PageBlocks, without_styled_edges

URL = "http://127.0.0.1:9/2019/11/20/council-votes-on-the-new-bridge"
PROSE = [
    f"Paragraph {i} of the story: the city council argued for {i + 2} hours about the cost of the new bridge."
    for i in range(8)
]


def _page(before: str = "", after: str = "", prose: list[str] = PROSE) -> str:
    body = "".join(f"<p>{line}</p>" for line in prose)
    return (
        "<html><head><title>Council votes on the new bridge</title></head><body>"
        "<h1>Council votes on the new bridge</h1>"
        f'<article><div class="story-body">{before}{body}{after}</div></article>'
        "</body></html>"
    )


def _lines(html: str) -> list[str]:
    article = extract_page(html, URL).article
    assert article is not None
    return list(article.lines)


def test_a_promo_box_after_the_last_paragraph_is_dropped() -> None:
    promo = (
        '<div class="member-pitch"><h4>Something to consider</h4>'
        "<p>If you enjoyed this article, get our morning briefing delivered to your inbox every day.</p></div>"
    )
    assert _lines(_page(after=promo)) == PROSE


def test_a_note_styled_otherwise_after_the_last_paragraph_is_dropped() -> None:
    note = '<p class="editors-note">We are temporarily moderating all comments submitted to deal with spam.</p>'
    assert _lines(_page(after=note)) == PROSE


def test_the_story_keeps_a_last_paragraph_styled_like_its_prose_and_a_closing_list() -> None:
    closing = "Paragraph 8 ends the story: the vote is set for next Tuesday, the mayor said."
    items = ["First, the bridge opens in May.", "Second, tolls stay as they are."]
    after = f"<div><p>{closing}</p></div><ul>{''.join(f'<li>{item}</li>' for item in items)}</ul>"
    lines = _lines(_page(after=after))
    assert lines[: len(PROSE) + 1] == [*PROSE, closing]
    assert [line.removeprefix("- ") for line in lines[len(PROSE) + 1 :]] == items


def test_a_short_line_styled_otherwise_before_the_first_paragraph_is_dropped_but_a_subhead_is_kept() -> None:
    before = '<p class="reading-time">Reading time: 3 minutes</p><h2>The vote</h2>'
    assert _lines(_page(before=before)) == ["The vote", *PROSE]


def test_nothing_is_dropped_when_too_few_paragraphs_share_a_style() -> None:
    prose = PROSE[:2]
    note = (
        '<p class="editors-note">Paragraph 2 is a note in a style of its own, set under the story by its editors.</p>'
    )
    lines = _lines(_page(after=note, prose=prose))
    assert lines[-1].startswith("Paragraph 2 is a note")


def _story_page(header: str = "", story_after: str = "", container: str = "article") -> str:
    body = "".join(f"<p>{line}</p>" for line in PROSE)
    return (
        "<html><head><title>Bridge vote - The Daily Planet</title></head><body>"
        f"{header}<{container}><div class='story-body'>{body}{story_after}</div></{container}>"
        "</body></html>"
    )


def _kept_of_everything(html: str) -> list[str]:
    """Return what the edge rules keep of every block on the page, as if the extractor had kept them all."""
    tree = lxml_html.fromstring(html)
    lines = [
        " ".join(block.text_content().split()) for block in tree.body.iter("p", "li", "h1", "h3", "h5", "figcaption")
    ]
    return without_styled_edges(lines, PageBlocks.of(tree))


def test_the_headline_what_stands_over_it_and_the_deck_and_kicker_beside_it_are_not_body_text() -> None:
    header = (
        "<div class='promo'><h3>Election night 2019</h3></div>"
        "<figure><img src='/bridge.jpg'><figcaption>The old bridge at dawn, seen from the east bank of the river"
        " (photo: The Daily Planet)</figcaption></figure>"
        "<div class='headline-group'><h1>The council votes on the new bridge tonight</h1>"
        "<h5 class='deck'>A vote six years in the making</h5></div>"
    )
    assert _kept_of_everything(_story_page(header=header, container="div")) == PROSE


def test_the_story_keeps_its_subheads_when_its_paragraphs_stand_beside_the_headline() -> None:
    prose = "".join(f"<p>{line}</p>" for line in PROSE)
    html = f"<html><body><div class='story'><h1>The council votes</h1><h3>The vote</h3>{prose}</div></body></html>"
    assert _kept_of_everything(html) == ["The vote", *PROSE]


def test_lines_outside_the_article_element_before_the_story_are_dropped() -> None:
    header = (
        "<div class='tools'><ul><li>Order Reprints</li><li>Print Article</li></ul></div>"
        "<div class='print-header'><p>This copy is for your personal, non-commercial use only; order copies from us.</p></div>"
    )
    assert _kept_of_everything(_story_page(header=header)) == PROSE


def test_small_print_under_the_story_is_dropped() -> None:
    about = (
        '<hr><p style="font-size: 12px; color: rgb(128,130,100)">The Daily Planet is a newspaper group publishing '
        "twelve titles in four states and employing around 1,300 people.</p>"
    )
    assert _lines(_story_page(story_after=about)) == PROSE


def test_date_stamps_and_the_heading_of_a_list_of_links_are_not_body_text() -> None:
    stamp = '<span itemprop="datePublished">Wednesday, 20 November 2019, 08:13</span>'
    links = "".join(f'<ul><li><h4><a href="/{i}">Another story number {i}</a></h4></li></ul>' for i in range(3))
    middle = len(PROSE) // 2
    html = _page(before=stamp, prose=[*PROSE[:middle], f"</p><h4>More:</h4>{links}<p>", *PROSE[middle:]])
    lines = _lines(html)
    assert "More:" not in lines
    assert not [line for line in lines if "2019" in line]


def test_a_paragraph_wrapped_in_the_source_is_one_line() -> None:
    wrapped = "Still, the stock slid, and peer\n    <a href='/quote/low'>Lowe’s</a>\n   and\n  <a href='/q/x'>Others</a>\n fell too."
    lines = _lines(_page(prose=[*PROSE[:4], wrapped, *PROSE[4:]]))
    assert "Still, the stock slid, and peer Lowe’s and Others fell too." in lines


def test_a_heading_over_a_paragraph_with_one_link_is_kept() -> None:
    middle = len(PROSE) // 2
    buy = "</p><h4>The bridge toll calculator</h4><p><a href='/toll'>Work out your own toll with our calculator</a></p><p>"
    lines = _lines(_page(prose=[*PROSE[:middle], buy, *PROSE[middle:]]))
    assert "The bridge toll calculator" in lines


def test_what_the_structure_showed_to_be_furniture_is_reported_for_learning() -> None:
    """A line dropped on its own site by structure is learned there, so a repost carrying it as text loses it too."""
    app, moderating = "Get the Ledger app for iPhone and Android", "We are moderating all comments to deal with spam."
    funded = "The Ledger is reader-funded. Join for $3 a month."
    promo = f"<p><a href='/app'>{app}</a></p><aside><p>{funded}</p></aside>"
    note = f'<p class="editors-note">{moderating}</p>'
    article = extract_page(_page(before=promo, after=note), URL).article
    assert list(article.lines) == PROSE
    assert {app, moderating, funded} <= set(article.dropped)


def test_a_bold_paragraph_styled_as_the_prose_is_a_subhead_but_a_bold_sentence_or_boxed_line_is_not() -> None:
    middle = len(PROSE) // 2
    bold = [
        "<strong>What comes next</strong>",
        "<b>Sign up for our newsletter.</b>",
        "<strong>Follow Our Channel</strong>",
    ]
    prose = [*PROSE[:middle], bold[0], *PROSE[middle:-1], bold[1], f'</p><p class="promo">{bold[2]}', PROSE[-1]]
    article = extract_page(_page(prose=prose), URL).article
    assert {article.lines[i] for i in article.headings} == {"What comes next"}
