"""Extraction: a photo's caption and credit never reach the text; the body paragraph a caption repeats does."""

from __future__ import annotations

import pytest

from crawler.demo.newsweb import Site
from crawler.extract import furniture
from crawler.extract.article import extract_page
from crawler.text import normalise
from fixture_web import load_seed
from furniture_themes import FURNITURE_THEMES

URL = "http://127.0.0.1:9/2019/11/20/council-votes-on-the-new-bridge"
PROSE = [
    f"Paragraph {i} of the story: the city council argued for {i + 2} hours about the cost of the new bridge."
    for i in range(6)
]
CAPTION = "Council members look at a model of the bridge at City Hall on Tuesday evening."


def _lines(photo: str, prose: list[str] = PROSE) -> list[str]:
    body = "".join(f"<p>{line}</p>" for line in prose)
    html = (
        "<html><head><title>Council votes on the new bridge</title></head><body>"
        f'<h1>Council votes on the new bridge</h1><article><div class="story-body">{photo}{body}</div></article>'
        "</body></html>"
    )
    article = extract_page(html, URL).article
    assert article is not None
    return list(article.lines)


@pytest.mark.parametrize(
    "photo",
    [
        f'<figure><img src="/a.jpg"><figcaption>{CAPTION} Photo: AP/Jane Doe</figcaption></figure>',
        f'<div class="photo"><img src="/a.jpg"><p>{CAPTION}</p></div>',
        f'<div class="media"><a href="/a.jpg"><img src="/a-small.jpg"></a><p class="caption">{CAPTION}</p>'
        '<span class="credit">Image via Reuters</span></div>',
        f'<div><span><img src="/a.jpg"></span><span class="cutline">{CAPTION}</span></div>',
    ],
)
def test_the_text_that_stands_with_a_photo_in_its_block_is_its_caption(photo: str) -> None:
    assert _lines(photo) == PROSE


def test_a_caption_that_repeats_a_body_paragraph_leaves_the_paragraph_where_it_stands() -> None:
    photo = f'<div class="photo"><img src="/a.jpg"><p>{PROSE[3]}</p></div>'
    assert _lines(photo) == PROSE


def test_a_paragraph_with_an_inline_image_is_text() -> None:
    prose = [*PROSE[:2], f'<img src="/icon.png"> {PROSE[2]}', *PROSE[3:]]
    assert _lines("", prose) == PROSE


@pytest.mark.parametrize("theme", ["topix", *FURNITURE_THEMES])
def test_the_seed_page_loses_its_caption_and_keeps_every_paragraph_subhead_and_typo(theme: str) -> None:
    story = load_seed()
    site = Site("China Topix", theme, [story], base_url="http://127.0.0.1:9100")
    html = site.render()[site.article_path(story)][2].decode("utf-8")
    article = extract_page(html, site.article_url(story)).article
    learned = {furniture.line_key(line) for line in site.furniture}  # as a crawl of the site learns them
    text = furniture.clean(article.lines, learned, article.headings)
    words = [normalise(line) for line in text]
    assert not [line for line in text if "Getty" in line or line.startswith("(Photo")]
    paragraphs = [normalise(line) for line in story.paragraphs]
    assert [w for w in words if w in paragraphs] == paragraphs  # each once, in order: the caption adds no copy
    subheads = [line.removeprefix("## ") for line in story.body if line.startswith("## ")]
    assert len(subheads) == 4 and all(normalise(s) in words for s in subheads)
    assert any("consdier" in line for line in text)


def test_the_seed_caption_printed_as_the_first_body_line_is_dropped_by_its_credit() -> None:
    """As some sites print it: no image beside it, only the credit says it is a caption."""
    story = load_seed()
    photo = f'<p class="caption">(Photo : Getty Images) {story.caption}</p>'
    lines = furniture.clean(_lines(photo, story.paragraphs), set())
    assert lines == [" ".join(p.split()) for p in story.paragraphs]


def test_a_caption_right_after_an_image_among_the_paragraphs_is_dropped() -> None:
    body = "".join(f"<p>{line}</p>" for line in PROSE[:3])
    body += f'<div class="img-wrap"><img src="/a.jpg"></div><span class="cutline">{CAPTION}</span>'
    body += "".join(f"<p>{line}</p>" for line in PROSE[3:])
    assert _lines(body, []) == PROSE


@pytest.mark.parametrize("style", ["", ' class="mt60"'])
def test_a_paragraph_right_after_an_image_is_text_whatever_its_class(style: str) -> None:
    short = "The vote is on Friday."
    body = "".join(f"<p>{line}</p>" for line in PROSE[:3]) + f'<img src="/a.jpg"><p{style}>{short}</p>'
    body += "".join(f"<p>{line}</p>" for line in PROSE[3:])
    assert _lines(body, []) == [*PROSE[:3], short, *PROSE[3:]]
