"""Extraction: boxes styled unlike the story's prose at its edges are not article text; the story's own ends are."""

from __future__ import annotations

from crawler.extraction import extract_article

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
    article = extract_article(html, URL)
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
    note = '<p class="editors-note">Paragraph 2 is a note in a style of its own, set under the story by its editors.</p>'
    lines = _lines(_page(after=note, prose=prose))
    assert lines[-1].startswith("Paragraph 2 is a note")
