"""A crawl of sites whose furniture takes every form archives none of it, and keeps every line of text that recurs.

The sites (furniture_web) are built from the real texts in
tests/data, each site with its own wording: sentences appended to paragraphs,
furniture in every container, rotating calls to action, photo captions and
credits, and a syndicating site whose copies carry the originating site's
furniture. Their stories hold what recurs but is text: contributor lines and
correction notes on a third of a site's pages, subheads two pages share,
datelines, a repeated quote, a caption repeating a body sentence.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import newsarchive
from crawler.demo.newsweb import NewsWeb
from fixture_web import load_articles, load_seed
from furniture_themes import FORMS
from furniture_web import STAYS, FurnitureWeb, build_furniture_web
from storage import archive_url
from storage.schema import sightings, stories


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> tuple[FurnitureWeb, dict[str, str]]:
    """Crawl the furniture web once; return it and every archived text (stories and kept copies) by URL."""
    web = build_furniture_web([load_seed(), *load_articles().values()])
    db = tmp_path_factory.mktemp("furniture") / "archive.db"
    with NewsWeb(web.sites) as server:
        result = newsarchive("crawl", *(server.url(site.name) for site in web.sites), "--db", str(db))
        assert result.returncode == 0, result.stderr
        pages = web.by_url()
    engine = sa.create_engine(archive_url(str(db)))
    with engine.connect() as conn:
        texts = dict(conn.execute(sa.select(stories.c.url, stories.c.text)).all())
        texts |= dict(
            conn.execute(sa.select(sightings.c.url, sightings.c.text).where(sightings.c.text.is_not(None))).all()
        )
    engine.dispose()
    assert set(pages) <= set(texts), "every article page is archived, as a story or a kept copy"
    return web, texts


def test_the_web_has_every_form_of_furniture_and_every_kind_of_recurring_text(archived) -> None:
    web, _ = archived
    forms = {form for page in web.pages for form in page.furniture}
    kinds = {kind for page in web.pages for kind in page.stays}
    assert forms == {*FORMS, "carried"} and kinds == set(STAYS)


@pytest.mark.parametrize("form", [*FORMS, "carried"])
def test_no_archived_text_holds_furniture_of_this_form(archived, form: str) -> None:
    web, texts = archived
    assert web.audit(texts)["leaked"].get(form, []) == []


@pytest.mark.parametrize("kind", [*STAYS, "body"])
def test_every_archived_text_keeps_its_recurring_text_of_this_kind(archived, kind: str) -> None:
    web, texts = archived
    assert web.audit(texts)["lost"].get(kind, []) == []
