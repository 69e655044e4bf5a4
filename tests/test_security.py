"""Archived content never executes or injects: web pages, exports, search, file names, the app's surface.

What a crawl archives is whatever hostile sites serve. Generated stories (hypothesis) full of
script, event handlers, ``javascript:`` URLs and formula cells go through the web UI and every
export format; search takes any text, SQL and FTS syntax included, on SQLite and PostgreSQL;
names from the sites file become folder names; the app answers reads only.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Mount

from archive_data import new_story
from crawler.cli import main
from crawler.errors import InvalidField
from crawler.service.runner import FOLDER_NAME_MAX, CrawlCommand, folder_name
from crawler.sites import SiteConfig
from crawler.web import create_app
from storage import Archive, ArchivedStory, NewStory, Sighting
from storage.exchange.export import FORMULA_START, export_csv, export_jsonl
from storage.exchange.parquet import export_parquet
from storage.read.search import MAX_QUERY_WORDS, search
from storage.warc import Exchange, WarcLocation, WarcWriter
from web_archive import fill

TEMPLATES = Path(__file__).resolve().parent.parent / "crawler" / "web" / "templates"

#: Markup and URLs that run script in a page that forgot to escape them, or in a browser that follows them.
MARKUP = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)></iframe>",
    "</textarea></title><script>alert(1)</script>",
    "<base href='//evil.example/'>",
    "<meta http-equiv=refresh content='0;url=//evil.example/'>",
    "<a href=javascript:alert(1)>x</a>",
    "<!--",
    "]]>",
    "{{ 7 * 7 }}{% if 1 %}",
    "&lt;script&gt;",
    "&#x3C;script&#x3E;",
    "\x02<b>marked</b>\x03",  # the search snippet's own marks
    "line\u2028separator\u2029and\x85next",  # line breaks to str.splitlines and old JavaScript, not to JSON
]
URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    'http://evil.example/"onmouseover="alert(1)',
    "http://evil.example/<script>alert(1)</script>",
    "https://evil.example/'><svg onload=alert(1)>",
]
#: Cells a spreadsheet runs (OWASP "CSV Injection").
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1+1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]

#: archived text holds no NUL and no lone surrogate (tests/test_fuzz_extraction.py shows extraction yields none)
text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8)
hostile = st.lists(st.sampled_from(MARKUP + URLS + FORMULAS) | text, min_size=1, max_size=4).map("".join)
hostile_url = st.sampled_from(URLS) | st.builds(lambda a, b: a + b, st.sampled_from(URLS), hostile)
#: a word that the story's title and text hold, to find it by search
WORD = "zebracrossing"
_serial = itertools.count(1)


def _printable(text: str) -> str:
    """Return ``text`` as a page shows it: control characters gone, white space collapsed."""
    return " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).split())


@st.composite
def hostile_stories(draw: st.DrawFn) -> ArchivedStory:
    n = next(_serial)
    text = f"{WORD} {draw(hostile)}\n{draw(hostile)}\nThe end."
    story = NewStory(
        url=draw(hostile_url) + f"#{n}",
        site=draw(st.sampled_from(["evil.example", 'evil.example"><script>alert(1)</script>'])),
        title=f"{WORD} {draw(hostile)}",
        author=draw(hostile),
        published=draw(st.sampled_from([None, "2024-01-02", "<script>x</script>"])),
        language=draw(st.sampled_from([None, "en", "<b>x</b>"])),
        sitename=draw(hostile),
        text=text,
        raw_text=text,
        fingerprint=f"f{n}",
        authors=json.dumps([draw(hostile), draw(hostile)]),
        canonical_url=draw(hostile_url),
        section=draw(hostile),
        tags=json.dumps([draw(hostile)]),
        image=draw(hostile_url),
        description=draw(hostile),
        jsonld=json.dumps([{"@type": "NewsArticle", "headline": draw(hostile)}]),
    )
    copy = Sighting(draw(hostile_url) + f"#copy{n}", "copies.example", draw(hostile), "near", 0.8, 0.9, None)
    return ArchivedStory(story, datetime(2024, 5, 1, tzinfo=UTC), [], [(copy, datetime(2024, 5, 2, tzinfo=UTC))])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database for the module's archives (tests add stories of their own to it)."""
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("security") / "archive.db")
    return request.getfixturevalue("postgres").fresh_schema_url()


@pytest.fixture(scope="module")
def web(target: str):
    with Archive(target) as archive:
        fill(archive)
        with TestClient(create_app(archive)) as client:
            yield client, archive


# -- the web UI ----------------------------------------------------------


def _template_vocabulary() -> tuple[set[str], set[str]]:
    """Return the tags and attribute names the templates (and their filters) write: all a page may hold."""
    source = "".join(path.read_text() for path in TEMPLATES.glob("*.html"))
    tags = set(re.findall(r"<([a-z][a-z0-9]*)", source)) | {"mark", "time"}
    attributes = {name.lower() for name in re.findall(r"\s([a-zA-Z-]+)=", source)} | {"selected", "datetime"}
    return tags, attributes


TAGS, ATTRIBUTES = _template_vocabulary()


def assert_inert(page: str, shown: list[str] = ()) -> None:
    """Assert that ``page`` holds only the templates' own markup, links only to our pages and http(s), and ``shown`` as text."""
    tree = lxml.html.document_fromstring(page)
    for element in tree.iter():
        assert isinstance(element.tag, str), lxml.html.tostring(element)[:200]  # the templates write no comment
        assert element.tag in TAGS, (element.tag, lxml.html.tostring(element)[:200])
        assert set(element.attrib) <= ATTRIBUTES, (element.tag, dict(element.attrib))
        for name in ("href", "src", "action"):
            if (value := element.get(name)) is not None:
                assert re.match(r"(/(?!/)|\?|https?://)", value), (name, value)
    text = _printable(tree.text_content())
    for value in shown:
        assert _printable(value) in text, value


def _pages(story_id: int) -> list[str]:
    return [f"/stories/{story_id}", f"/clusters/{story_id}", f"/?q={WORD}", "/", "/clusters", "/sites"]


@settings(max_examples=12)
@given(archived=hostile_stories())
def test_hostile_stories_are_shown_as_text(web: tuple[TestClient, Archive], archived: ArchivedStory) -> None:
    client, archive = web
    archive.restore([archived])
    story_id = archive.canonical_story(archived.story.url)
    assert story_id is not None
    story, (copy, _) = archived.story, archived.duplicates[0]
    for path in _pages(story_id):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "script-src 'none'" in response.headers["content-security-policy"]
        own = {
            f"/stories/{story_id}": [story.title, *story.text.splitlines(), *json.loads(story.authors or "[]")],
            f"/clusters/{story_id}": [story.title, copy.title],
        }
        shown = own.get(path, []) + ([story.description] if path == f"/stories/{story_id}" else [])
        assert_inert(response.text, [s for s in shown if s])
    api = client.get(f"/api/stories/{story_id}")
    assert api.headers["content-type"] == "application/json"
    assert (api.json()["title"], api.json()["canonical_url"]) == (story.title, story.canonical_url)


@settings(max_examples=30)
@given(value=st.sampled_from(["\x00", "a\x00b", "\ud800", "[Wire]"]) | hostile | st.text(max_size=10))
def test_what_a_request_says_is_escaped_in_error_pages(web: tuple[TestClient, Archive], value: str) -> None:
    """Any parameter, NUL and lone surrogates too (sent as a browser encodes them), is a page or a 4xx, never a 500."""
    client, _ = web
    given = quote(value.encode("utf-8", "surrogatepass"), safe="")
    pages = [
        f"/stories/{given}",
        *(f"{path}?{name}={given}" for path in ("/", "/clusters") for name in ("site", "page")),
    ]
    pages += [f"/?since={given}", f"/?q={given}", f"/?q=apples&site={given}"]
    api = [f"/api/{call}?{name}={given}" for call in ("stories", "clusters") for name in ("site", "page", "until")]
    for path in pages + api + [f"/api/search?q={given}"]:
        response = client.get(path)
        assert response.status_code < 500, (path, response.text[:500])
        if path.startswith("/api/"):
            assert response.headers["content-type"] == "application/json", path
        else:
            assert response.headers["content-type"].startswith("text/html"), path
            assert_inert(response.text)


def test_a_site_named_in_brackets_is_shown(web: tuple[TestClient, Archive]) -> None:
    """A counterexample of the test above: an og:site_name with brackets made urlsplit raise, and every page a 500."""
    client, archive = web
    archive.add_story(replace(new_story("http://wire.example/1", "wire.example"), sitename="[Wire] News"), [], {})
    for path in ("/", "/sites", "/clusters", "/runs"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert(response.text)
    assert "[Wire] News" in client.get("/").text


def _routes(routes: list) -> list:
    """Return every route, those of included routers too (FastAPI 0.16x keeps a router included as one entry)."""
    found = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        found += _routes(inner.routes) if inner is not None else [route]
    return found


def test_every_route_only_reads() -> None:
    """The route table itself: GET (and HEAD) only; any other method on any route is a 405."""
    with Archive(":memory:") as archive:
        app = create_app(archive)
        client = TestClient(app)
        paths = []
        for route in _routes(app.routes):
            if isinstance(route, Mount):
                paths.append(f"{route.path}/style.css")
                continue
            assert route.methods <= {"GET", "HEAD"}, (route.path, route.methods)
            paths.append(route.path.replace("{story_id}", "1"))
            if isinstance(route, APIRoute):
                assert route.path.startswith("/api/") or not route.include_in_schema
        assert "/api/stories/1" in paths and "/stories/1/raw" in paths and "/static/style.css" in paths
        for path in paths:
            for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"):
                assert client.request(method, path).status_code == 405, (method, path)


def test_the_web_ui_listens_on_loopback_by_default() -> None:
    from crawler.cli import demo, serve

    host = next(p for p in main.get_command(None, "serve").params if p.name == "host")  # type: ignore[union-attr]
    assert host.default == "127.0.0.1"
    for listening in (serve._listen(host.default, 0), demo._listen(0)):
        with listening:
            assert listening.getsockname()[0] == "127.0.0.1"


MARKUP_NAMES = ["[/b]Ledger", "[link=http://evil.example]Wire[/link]", "[bold red]News"]


def test_the_commands_print_archived_names_and_titles_as_text(tmp_path: Path) -> None:
    """Site names and titles are the sites' own: rich markup in one (``[/b]``) crashed ``stats``, ``[link=…]`` made a link."""
    from click.testing import CliRunner

    from storage.runs import RunCounts, save_run, start_run

    db = str(tmp_path / "archive.db")
    with Archive(db) as archive:
        for n, name in enumerate(MARKUP_NAMES):
            story = new_story(f"http://s{n}.example/1", f"s{n}.example", f"apples {name}", title=f"apples {name}")
            archive.add_story(replace(story, sitename=name), [], {})
        save_run(archive, start_run(archive, MARKUP_NAMES[0]), RunCounts(pages=1), "finished")
    for command in (["stats"], ["runs"], ["search", "apples"], ["duplicates"], ["show", "http://s0.example/1"]):
        result = CliRunner().invoke(main, [*command, "--db", db], terminal_width=200)
        assert result.exit_code == 0, (command, result.output)
        assert "Traceback" not in result.output
        if command[0] in ("stats", "search"):
            assert all(name in result.output for name in MARKUP_NAMES), (command, result.output)


# -- exports -------------------------------------------------------------


@settings(max_examples=10)
@given(stories=st.lists(hostile_stories(), min_size=1, max_size=3))
def test_every_export_format_keeps_content_as_data(
    stories: list[ArchivedStory], tmp_path_factory: pytest.TempPathFactory
) -> None:
    db = str(tmp_path_factory.mktemp("export") / "archive.db")
    with Archive(db) as archive:
        archive.restore(stories)
        jsonl, table, parquet = io.StringIO(), io.StringIO(), io.BytesIO()
        export_jsonl(archive, jsonl, duplicates=True)
        export_csv(archive, table, duplicates=True)
        export_parquet(archive, parquet, duplicates=True)
    by_url = {s.story.url: s.story for s in stories}
    # JSONL: one record a line for any line splitter, each value the archived text exactly
    lines = jsonl.getvalue().splitlines()
    assert len(lines) == len(stories)
    for record in map(json.loads, lines):
        story = by_url[record["url"]]
        assert (record["title"], record["text"], record["author"]) == (story.title, story.text, story.author)
    # CSV: no cell starts a formula; one that would is the archived text after a '
    rows = list(csv.DictReader(io.StringIO(table.getvalue(), newline="")))
    assert len(rows) == len(stories)
    for row in rows:
        assert not any(cell.startswith(FORMULA_START) for cell in row.values()), row
        story = by_url[row["url"].removeprefix("'")]
        for name in ("title", "text", "author", "sitename", "description", "canonical_url", "image"):
            value = getattr(story, name) or ""
            assert row[name] == (f"'{value}" if value.startswith(FORMULA_START) else value), name
    # Parquet: typed columns, values as archived
    for record in pq.read_table(io.BytesIO(parquet.getvalue())).to_pylist():
        story = by_url[record["url"]]
        assert (record["title"], record["text"], record["description"]) == (story.title, story.text, story.description)


# -- search --------------------------------------------------------------

queries = st.text(max_size=60) | st.lists(
    st.sampled_from(
        [
            "' OR '1'='1",
            "'; DROP TABLE stories; --",
            '" OR 1=1 --',
            "NEAR(",
            "OR",
            "AND",
            "NOT",
            "*",
            "^",
            ":",
            "(",
            ")",
            '"',
            "title:",
            "stories_fts",
            "\x00",
            "\ud800",
            "!",
            "&",
            "|",
            "<->",
            "\\",
            "%",
            "_",
            "?",
            "$1",
            WORD,
            "apples",
        ]
    ),
    max_size=8,
).map(" ".join)


def _state(archive: Archive) -> tuple[int, list[str]]:
    """Return how many stories the archive holds and which tables: what an injection would change."""
    with archive.engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM stories")).scalar_one()
    return count, sorted(sa.inspect(archive.engine).get_table_names())


@settings(max_examples=80)
@given(query=queries)
def test_search_takes_any_text_as_words(web: tuple[TestClient, Archive], query: str) -> None:
    client, archive = web
    before = _state(archive)
    apples = {hit.story_id for hit in search(archive, "apples", limit=1000)}
    # every word must match: words added to a query narrow it, never widen it (no OR, no injection)
    assert {hit.story_id for hit in search(archive, f"apples {query}", limit=1000)} <= apples
    assert {hit.story_id for hit in search(archive, f"{query} apples", limit=1000)} <= apples
    for path in ("/", "/api/search"):
        response = client.get(f"{path}?q={quote(query.encode('utf-8', 'surrogatepass'))}")  # as a browser sends it
        assert response.status_code in (200, 422, 400 if "\x00" in query else 200), (path, query, response.text[:300])
        if path == "/":
            assert_inert(response.text)
    assert _state(archive) == before


def test_a_query_of_thousands_of_words_is_quick_or_refused(web: tuple[TestClient, Archive]) -> None:
    """A counterexample: ``apples`` 3,000 times (15 kB, under uvicorn's limit) kept PostgreSQL busy for a minute."""
    client, archive = web
    started = time.monotonic()
    repeated = search(archive, "apples " * 3000, limit=1000)
    assert time.monotonic() - started < 15
    assert [hit.story_id for hit in repeated] == [hit.story_id for hit in search(archive, "apples", limit=1000)]
    words = " ".join(f"w{i}" for i in range(MAX_QUERY_WORDS + 1))
    for path in ("/", "/api/search"):
        response = client.get(path, params={"q": words})
        assert response.status_code == 400 and f"at most {MAX_QUERY_WORDS} words" in response.text, path


# -- paths ---------------------------------------------------------------

names = st.text(min_size=1, max_size=400) | st.sampled_from(
    ["..", ".", "../../etc/passwd", "/etc/passwd", "a/../../b", "\x00", "a\x00b", "~root", "-rf", " ", "CON", "é" * 300]
)


@given(name=names)
def test_a_site_name_is_one_folder_inside_its_folder(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = folder_name(name)
    assert folder and folder not in (".", "..") and not set(folder) & {"/", "\\", "\x00"}, folder
    assert len(folder.encode()) <= FOLDER_NAME_MAX
    assert folder_name(name + "x" * 300) != folder_name(name + "y" * 300)  # long names are cut, not merged
    root = tmp_path_factory.mktemp("jobs")
    made = root / folder
    made.mkdir()
    assert made.resolve().parent == root.resolve()


@pytest.mark.parametrize("name", ["a\x00b", "line\nbreak", "bell\x07", "\x1b[31mred"])
def test_a_site_name_with_control_characters_is_refused(name: str) -> None:
    """A NUL would make the scheduler's command line for the site fail (subprocess refuses it) at every start."""
    with pytest.raises(InvalidField, match="printable"):
        SiteConfig(name=name, start_urls=("http://a.example/",))
    argv = CrawlCommand(Path("sites.toml"), "archive.db", Path("logs"), Path("jobs")).argv("Daily Ledger")
    assert all("\x00" not in arg for arg in argv)


@pytest.mark.parametrize(
    "url,headers",
    [
        ("http://a.example/../../../../tmp/evil", [("Content-Disposition", 'attachment; filename="../../evil.sh"')]),
        ("http://a.example/%2e%2e/%2e%2e/etc/passwd", [("Content-Type", "text/html; name=/etc/passwd")]),
        ("http://a.example/" + "x" * 10_000, [("X-Name", "\x00" + "y" * 10_000)]),
        ("http://a.example/a\x00b", [("Location", "file:///etc/passwd")]),
    ],
)
def test_warc_file_names_owe_nothing_to_the_crawled_url_or_headers(
    url: str, headers: list[tuple[str, str]], tmp_path: Path
) -> None:
    writer = WarcWriter(tmp_path / "warc", 1 << 20, {"software": "test"})
    exchange = Exchange(url, "GET", [("User-Agent", "t")], b"", "HTTP/1.1", 200, headers, b"<html>hi</html>")
    location, _ = writer.write(exchange)
    writer.close()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.parent for p in files] == [tmp_path / "warc"]
    assert re.fullmatch(r"newsarchive-\d{17}-\d{5}\.warc\.gz", files[0].name)
    assert Path(location.path) == files[0]
    # a location read back from the archive is moved by its file name only
    for stored in ("/etc/passwd", "../../../etc/passwd", "warc/../../x.warc.gz"):
        moved = WarcLocation(stored, 0, 1).moved_to(tmp_path / "warc")
        assert Path(moved.path).parent == tmp_path / "warc"
