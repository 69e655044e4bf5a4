"""``newsarchive extract``: saved pages through the crawl's own extraction, with the archive's learned furniture."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from conftest import Crawls, newsarchive
from fixture_web import DATA, FixtureWeb


def _lines(result) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_folder_of_saved_pages_gives_one_json_line_each_and_a_reason_for_bad_ones(tmp_path: Path) -> None:
    (tmp_path / "good.html.gz").write_bytes((DATA / "techcrunch.html.gz").read_bytes())
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "latin1.html").write_bytes('<meta charset="utf-8"><p>café été à ça</p>'.encode("latin-1"))
    (tmp_path / "broken.html.gz").write_bytes(b"not gzip at all")
    (tmp_path / "huge.html").write_bytes(b"<html><body>" + b"<div><span>x</span></div>" * 120_000 + b"</body></html>")
    (tmp_path / "notes.txt").write_text("not a page")
    records = {Path(r["path"]).name: r for r in _lines(newsarchive("extract", str(tmp_path)))}
    assert set(records) == {"good.html.gz", "empty.html", "latin1.html", "broken.html.gz", "huge.html"}
    good = records["good.html.gz"]
    assert "WeWork" in good["title"] and good["authors"] == ["Catherine Shu"] and good["published"] == "2019-11-18"
    assert good["text"].startswith("WeWork is reportedly being investigated")
    assert {name: r.get("error") for name, r in records.items() if name != "good.html.gz"} == {
        "empty.html": "empty",
        "latin1.html": "bad_encoding",
        "broken.html.gz": "unreadable",
        "huge.html": "too_large",
    }


def test_with_db_the_sites_learned_furniture_is_removed(crawls: Crawls, test_web: FixtureWeb, tmp_path: Path) -> None:
    site = test_web.sites[1]  # The Daily Ledger prints a newsletter box inside every article body
    story = site.stories[0]
    page = tmp_path / "saved.html.gz"
    page.write_bytes(gzip.compress(site.render()[site.article_path(story)][2]))
    url = site.article_url(story)
    (plain,) = _lines(newsarchive("extract", str(page), "--url", url))
    (cleaned,) = _lines(newsarchive("extract", str(page), "--url", url, "--db", str(crawls.db)))
    assert [line for line in site.furniture if line in plain["text"]]
    assert not [line for line in site.furniture if line in cleaned["text"]]
    assert cleaned["title"] == story.title


def test_a_listing_page_and_a_text_file_are_no_articles_and_say_why(test_web: FixtureWeb, tmp_path: Path) -> None:
    site = test_web.sites[2]
    files = site.render()
    section = next(path for path in files if path.startswith("/section/"))
    (tmp_path / "section.html").write_bytes(files[section][2])
    (tmp_path / "home.html").write_bytes(files["/"][2])
    (tmp_path / "notes.txt").write_text(
        "Shopping list\n\n" + "milk, eggs, bread and a long list of other things. " * 20
    )
    results = {
        name: newsarchive("extract", str(tmp_path / name), "--url", site.base_url + path)
        for name, path in (("section.html", section), ("home.html", "/"))
    }
    results["notes.txt"] = newsarchive("extract", str(tmp_path / "notes.txt"))
    for name, result in results.items():
        assert result.returncode == 0, result.stderr
        (record,) = [json.loads(line) for line in result.stdout.splitlines()]
        assert "text" not in record, name
        expected = "not_html" if name == "notes.txt" else "not_article/"
        assert record["error"].startswith(expected), (name, record)
        assert f"{tmp_path / name}: {record['error']}: {record['detail']}" in result.stderr
        assert "1 page gave no article" in result.stderr
