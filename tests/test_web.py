"""The web app over HTTP (no browser): every page and API call, filters, errors, read-only, escaping, on both databases."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from archive_data import new_story
from conftest import NEWSARCHIVE, Crawls
from crawler.cli import main
from crawler.demo.newsweb import NewsWeb
from crawler.web import create_app
from fixture_web import FixtureWeb
from storage import Archive
from web_archive import IMAGE, JAVASCRIPT_URL, SCRIPT, WebArchive, fill

PAGES = ["/", "/?q=apples", "/stories/{orchard}", "/clusters", "/clusters/{orchard}", "/sites", "/runs"]
API = [
    "/api/stories",
    "/api/stories/{orchard}",
    "/api/search?q=apples",
    "/api/clusters",
    "/api/clusters/{orchard}",
    "/api/sites",
    "/api/runs",
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The app over the web test archive, on each database; shared by the module's tests, as the app only reads."""
    if request.param == "sqlite":
        db = str(tmp_path_factory.mktemp("web") / "archive.db")
    else:
        db = request.getfixturevalue("postgres").fresh_schema_url()
    with Archive(db) as archive:
        ids = fill(archive)
        with TestClient(create_app(archive)) as client:
            yield client, ids


def _paths(paths: list[str], ids: WebArchive) -> list[str]:
    return [path.format(orchard=ids.orchard) for path in paths]


def test_every_page_and_api_call_answers_with_security_headers(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    for path in _paths(PAGES + API, ids) + ["/static/style.css", "/openapi.json"]:
        response = client.get(path)
        assert response.status_code == 200, path
        expected = (
            "text/html" if path in _paths(PAGES, ids) else ("text/css" if path.endswith(".css") else "application/json")
        )
        assert response.headers["content-type"].startswith(expected), path
        assert "script-src 'none'" in response.headers["content-security-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_latest_stories_newest_first_filtered_and_paged(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    everything = client.get("/api/stories").json()
    assert [s["id"] for s in everything["stories"]] == [ids.hostile, ids.market, ids.orchard]
    assert (everything["total"], everything["pages"]) == (3, 1)
    assert [s["reposts"] for s in everything["stories"]] == [1, 0, 1]
    town = client.get("/api/stories", params={"site": "town.org"}).json()
    assert [s["id"] for s in town["stories"]] == [ids.market]  # a repost on town.org is not town.org's story
    june = client.get("/api/stories", params={"since": "2024-06-01", "until": "2024-06-10"}).json()
    assert [s["id"] for s in june["stories"]] == [ids.market]
    second = client.get("/api/stories", params={"per_page": 2, "page": 2}).json()
    assert ([s["id"] for s in second["stories"]], second["pages"]) == ([ids.orchard], 2)
    page = client.get("/", params={"site": "farm.org"}).text
    assert "Apples galore" in page and "Market day" not in page


def test_bad_filters_are_a_clear_400(web: tuple[TestClient, WebArchive]) -> None:
    client, _ = web
    backwards = client.get("/api/stories", params={"since": "2024-07-01", "until": "2024-06-01"})
    assert backwards.status_code == 400 and "is after until" in backwards.json()["detail"]
    assert client.get("/api/stories", params={"since": "2024-02-30"}).status_code == 400
    assert client.get("/api/stories", params={"since": "yesterday"}).status_code == 422
    assert client.get("/", params={"since": "2024-07-01", "until": "2024-06-01"}).status_code == 400
    assert client.get("/", params={"since": "", "until": "", "site": ""}).status_code == 200  # an empty form


def test_one_story_with_its_text_metadata_and_reposts(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    story = client.get(f"/api/stories/{ids.orchard}").json()
    assert (story["url"], story["title"], story["published"], story["raw_capture"]) == (
        "http://farm.org/apples",
        "Apples galore",
        "2024-05-02",
        None,
    )
    assert story["text"].startswith("Farmers in the valley")
    (repost,) = story["reposts"]
    assert (repost["url"], repost["site"], repost["similarity"]) == (ids.repost_url, "town.org", 0.8125)
    page = client.get(f"/stories/{ids.orchard}").text
    assert "<p>The harvest was the best in years.</p>" in page
    assert '<a href="http://farm.org/apples" rel="noopener noreferrer"' in page
    assert "town.org" in page and "0.81" in page and f'href="/clusters/{ids.orchard}"' in page


def test_search_ranks_filters_and_marks_matches(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    found = client.get("/api/search", params={"q": "apples"}).json()
    assert [hit["story_id"] for hit in found["hits"]] == [ids.orchard, ids.market]  # the title match first
    assert "A few stalls had apples from the north" in found["hits"][1]["snippet"]  # plain text, no marks
    town = client.get("/api/search", params={"q": "apples", "site": "town.org"}).json()
    assert [hit["story_id"] for hit in town["hits"]] == [ids.market]
    page = client.get("/", params={"q": "harvest"}).text
    assert "<mark>harvest</mark>" in page and f'href="/stories/{ids.orchard}"' in page and "Market day" not in page
    assert client.get("/api/search").status_code == 422  # a search needs words


def test_clusters_biggest_first_and_one_cluster(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    listed = client.get("/api/clusters").json()
    assert sorted(c["story_id"] for c in listed["clusters"]) == sorted([ids.orchard, ids.hostile])
    assert client.get("/api/clusters", params={"site": "town.org"}).json()["clusters"][0]["story_id"] == ids.orchard
    one = client.get(f"/api/clusters/{ids.orchard}").json()
    assert [(c["url"], c["match"]) for c in one["copies"]] == [
        ("http://farm.org/apples", "original"),
        (ids.repost_url, "near"),
    ]
    assert [c["url"] for c in client.get(f"/api/clusters/{ids.market}").json()["copies"]] == ["http://town.org/market"]
    page = client.get(f"/clusters/{ids.orchard}").text
    assert ids.repost_url in page and "0.81" in page


def test_sites_report_their_stories_last_fetch_errors_and_new_stories_per_day(
    web: tuple[TestClient, WebArchive],
) -> None:
    client, _ = web
    sites = {s["site"]: s for s in client.get("/api/sites").json()}
    assert sorted(sites) == ["evil.org", "farm.org", "town.org"]
    town, farm = sites["town.org"], sites["farm.org"]
    assert (town["stories"], town["reposts"], town["errors"], town["errors_by_kind"]) == (1, 1, 1, {"http_404": 1})
    assert (farm["stories"], farm["errors"]) == (1, 0)
    assert datetime.fromisoformat(town["last_fetched"]) <= datetime.now(UTC)
    today = datetime.now(UTC).date().isoformat()
    assert len(farm["per_day"]) == 14 and farm["per_day"][-1] == {"day": today, "stories": 1}
    assert sum(day["stories"] for day in farm["per_day"]) == 1
    page = client.get("/sites").text
    assert "http_404: 1" in page and page.count('<svg class="chart"') == 3


def test_runs_newest_first(web: tuple[TestClient, WebArchive]) -> None:
    client, _ = web
    (run,) = client.get("/api/runs").json()
    assert (run["site"], run["finish_reason"], run["pages"], run["errors_by_kind"]) == (
        "farm.org,town.org",
        "finished",
        3,
        {"http_404": 1},
    )
    assert "farm.org,town.org" in client.get("/runs").text


@pytest.mark.parametrize(
    "path", ["/stories/999", "/api/stories/999", "/clusters/999", "/api/clusters/999", "/stories/999/raw", "/nowhere"]
)
def test_what_is_not_there_is_a_404(web: tuple[TestClient, WebArchive], path: str) -> None:
    client, _ = web
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json" if path.startswith("/api/") else "text/html")


def test_a_story_archived_without_a_capture_has_no_raw_page(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    response = client.get(f"/stories/{ids.orchard}/raw")
    assert response.status_code == 404 and "without a raw capture" in response.text


def test_nothing_can_be_written(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in _paths(PAGES + API, ids) + ["/static/style.css"]:
            assert client.request(method, path).status_code == 405, (method, path)


def test_the_openapi_schema_documents_the_api_and_only_reads(web: tuple[TestClient, WebArchive]) -> None:
    client, _ = web
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/search",
        "/api/clusters",
        "/api/clusters/{story_id}",
        "/api/sites",
        "/api/runs",
    }
    assert {method for path in schema["paths"].values() for method in path} == {"get"}
    assert {"Story", "StoryList", "SearchResults", "Cluster", "SiteReport", "Run"} <= set(
        schema["components"]["schemas"]
    )
    assert client.get("/docs").status_code == 200


def test_sites_share_one_chart_scale_and_show_their_names(tmp_path: Path) -> None:
    with Archive(str(tmp_path / "archive.db")) as archive:
        for n in range(4):
            archive.add_story(replace(new_story(f"http://big.org/{n}", "big.org"), sitename="The Big Daily"), [], {})
        archive.add_story(
            replace(new_story("http://small.org/1", "small.org:8081"), sitename="Small Town News"), [], {}
        )
        with TestClient(create_app(archive)) as client:
            page = client.get("/sites").text
            latest = client.get("/").text
    rows = dict(re.findall(r'<tr>\s*<td><a href="/\?site=([^"]+)">(.*?)</tr>', page, re.DOTALL))
    assert set(rows) == {"big.org", "small.org%3A8081"}
    # today's bar is the last of each chart: one story draws a quarter of four stories' bar
    heights = {site: float(re.findall(r'<rect [^>]*height="([\d.]+)"', row)[-1]) for site, row in rows.items()}
    assert heights["big.org"] == pytest.approx(4 * heights["small.org%3A8081"], rel=0.1)
    assert "The Big Daily" in rows["big.org"] and "Small Town News" in rows["small.org%3A8081"]
    assert 'Small Town News</span> <span class="host">small.org:8081' in latest


def test_archived_markup_and_script_urls_stay_inert(web: tuple[TestClient, WebArchive]) -> None:
    client, ids = web
    for path in ["/", "/?q=meeting", f"/stories/{ids.hostile}", f"/clusters/{ids.hostile}", "/clusters"]:
        page = client.get(path).text
        assert "<script" not in page and "<img" not in page, path
        assert "javascript:" not in "".join(re.findall(r'(?:href|src)="[^"]*"', page)), path
    page = client.get(f"/stories/{ids.hostile}").text
    assert "&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;window.__pwned=1;alert(1)&#34;&gt;" in page  # the author, as text
    assert f'<span class="not-a-link url">{JAVASCRIPT_URL}</span>' in page  # the canonical URL: text, not a link
    story = client.get(f"/api/stories/{ids.hostile}").json()
    assert (story["title"], story["author"], story["canonical_url"]) == (f"Meeting {SCRIPT}", IMAGE, JAVASCRIPT_URL)


def test_a_crawled_archive_shows_its_stories_clusters_and_raw_captures(
    crawls: Crawls, test_web: FixtureWeb, news_web: NewsWeb
) -> None:
    records = crawls.export()
    with Archive(str(crawls.db), create=False) as archive, TestClient(create_app(archive)) as client:
        listed = client.get("/api/stories", params={"per_page": 200}).json()
        assert sorted(s["url"] for s in listed["stories"]) == sorted(r["url"] for r in records)
        clustered = client.get("/api/clusters", params={"per_page": 200}).json()["clusters"]
        assert {c["copies"][0]["url"] for c in clustered} == {r["url"] for r in records if r["duplicates"]}
        sizes = [len(c["copies"]) for c in clustered]
        assert sizes == sorted(sizes, reverse=True)

        (hit,) = client.get("/api/search", params={"q": test_web.seed.title}).json()["hits"]
        story = client.get(f"/api/stories/{hit['story_id']}").json()
        repost = next(s for s in test_web.sites[1].stories if s.slug == "us-ready-to-talk-thaad")
        assert test_web.sites[1].article_url(repost) in [r["url"] for r in story["reposts"]]
        raw = client.get(story["raw_capture"])
        assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/plain")
        assert raw.headers["content-security-policy"].startswith("sandbox")
        assert re.match(rb"HTTP/1\.[01] 200 ", raw.content) and test_web.seed.title.encode() in raw.content
        sites = {s["site"] for s in client.get("/api/sites").json()}
        assert {urlsplit(news_web.url(name)).netloc for name in news_web.sites} <= sites
        assert len(client.get("/api/runs").json()) == 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_newsarchive_serve_answers_on_loopback(tmp_path: Path) -> None:
    db = str(tmp_path / "archive.db")
    with Archive(db) as archive:
        fill(archive)
    port = _free_port()
    server = subprocess.Popen(
        [NEWSARCHIVE, "serve", "--db", db, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stories", timeout=5) as response:
                    listed = json.load(response)
                break
            except urllib.error.URLError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "newsarchive serve did not answer in 30 s"
                time.sleep(0.05)
        assert listed["total"] == 3
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_newsarchive_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no archive at" in result.output
