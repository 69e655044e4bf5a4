"""The web UI in a real browser: Debian's headless Chromium driven by Selenium over the app served on loopback.

One browser and one server for the module. Without Chromium and its driver the tests skip (fail under
NEWSARCHIVE_REQUIRE_SERVICES=1, as in CI, where .ci/run installs them).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from archive_data import new_story
from crawler.web import create_app
from databases import missing_service
from storage import Archive
from storage.health import RunHealth, save_health
from storage.runs import RunCounts, save_run, start_run
from web_archive import IMAGE, MARKET, SCRIPT, WebArchive, fill

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Headless, no sandbox (root in a container), and nothing that would reach out to the network by itself.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--window-size=1280,1000",
)


#: A repost at a URL with no title: the cell shows the URL, which may wrap but never overflow.
LONG_URL = "http://news.example.org/2026/12/02/" + "-".join(["a-very-long-slug-of-words"] * 6) + "?utm_source=feed"
#: Widths of a desktop window and of a phone (CSS pixels).
WIDTHS = (1280, 390)

#: JavaScript: return the cells of ``selector`` (arguments[0]) whose content is wider than the cell, and every
#: word (a run of non-space characters) that the browser laid out on more than one line. URLs (class url) may wrap.
BROKEN_CELLS = """
const found = [];
for (const cell of document.querySelectorAll(arguments[0])) {
  if (cell.scrollWidth > cell.clientWidth + 1) {
    found.push(`overflows its cell (${cell.scrollWidth} > ${cell.clientWidth} px): ${cell.textContent.trim()}`);
  }
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.url')) continue;
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (lines.size > 1) found.push(`split over ${lines.size} lines: ${match[0]}`);
    }
  }
}
return found;
"""
#: JavaScript: return what is wrong with the menu: a link past the screen's edge or broken over two lines.
MENU_PROBLEMS = """
const width = document.documentElement.clientWidth;
const found = [];
const nav = document.querySelector('header nav');
if (nav.scrollWidth > nav.clientWidth) found.push(`menu wider than its bar (${nav.scrollWidth} > ${nav.clientWidth} px)`);
for (const link of nav.querySelectorAll('a')) {
  const box = link.getBoundingClientRect();
  if (box.left < 0 || box.right > width) found.push(`${link.textContent} outside the screen (${box.left}..${box.right} of ${width} px)`);
  const lines = new Set([...link.getClientRects()].map(r => Math.round(r.bottom)));
  if (lines.size > 1) found.push(`${link.textContent} broken over ${lines.size} lines`);
}
if (document.documentElement.scrollWidth > width) found.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width} px)`);
return found;
"""


@dataclass
class Served:
    base: str
    ids: WebArchive


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over the web test archive, served by uvicorn in a thread on a free loopback port."""
    with Archive(str(tmp_path_factory.mktemp("browser") / "archive.db")) as archive:
        ids = fill(archive)
        _add_wide_content(archive, ids)
        server = uvicorn.Server(uvicorn.Config(create_app(archive), host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the web app did not start"
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield Served(f"http://127.0.0.1:{port}", ids)
        finally:
            server.should_exit = server.force_exit = True  # the browser keeps connections open: do not wait for them
            thread.join(timeout=10)


def _add_wide_content(archive: Archive, ids: WebArchive) -> None:
    """Add what stretches tables: an untitled repost at a long URL, and a run of several sites with many error kinds."""
    untitled = new_story(LONG_URL, "news.example.org", MARKET, title=None, published=None)
    archive.add_copy(ids.market, untitled, "near", 0.66, 0.71, [], {})
    run_id = start_run(archive, "farm.org, town.org, evil.org, news.example.org:8080")
    kinds = {"http_404": 3, "http_503": 1, "TimeoutError": 2, "extract/too_large": 1, "ConnectionRefusedError": 1}
    save_run(
        archive,
        run_id,
        RunCounts(pages=1234, new_stories=987, duplicates=65, new_versions=4, errors=8, errors_by_kind=kinds),
        "closespider_pagecount",
    )
    # farm.org's extraction: a usual run, then one that failed, with its example URLs
    save_health(archive, run_id, [RunHealth("farm.org", 12, 12, 640, 12, 12, 11, frozenset({"k1", "k2"}))])
    failing = start_run(archive, "farm.org")
    failures = tuple((f"{LONG_URL}&page={n}", "extract/not_article/too_short") for n in range(3))
    save_health(archive, failing, [RunHealth("farm.org", 10, 1, 35, 1, 1, 0, frozenset({"k3"}), failures=failures)])
    save_run(archive, failing, RunCounts(pages=30, new_stories=1), "finished")


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile, through Debian's chromedriver (Selenium never downloads one)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            missing_service(
                "Chromium", FileNotFoundError(f"{path} is missing: apt-get install chromium chromium-driver")
            )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory(prefix="newsarchive-chromium-") as profile:
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SE_OFFLINE", "true")
            try:
                driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
            except WebDriverException as exc:
                missing_service("Chromium", exc)
        driver.set_page_load_timeout(20)
        try:
            yield driver
        finally:
            driver.quit()


def _no_alert(browser: WebDriver) -> None:
    try:
        alert = browser.switch_to.alert
    except NoAlertPresentException:
        return
    text = alert.text
    alert.dismiss()
    pytest.fail(f"an archived script ran: alert({text!r})")


def test_search_a_story_and_open_it_and_its_cluster(browser: WebDriver, served: Served, tmp_path: Path) -> None:
    browser.get(served.base + "/")
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".stories .title")]
    assert titles == [f"Meeting {SCRIPT}", "Market day", "Apples galore"]

    box = browser.find_element(By.NAME, "q")
    box.send_keys("harvest")
    box.submit()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Stories matching “harvest”"
    (hit,) = browser.find_elements(By.CSS_SELECTOR, ".hits .title")
    assert browser.find_element(By.CSS_SELECTOR, ".hits mark").text == "harvest"
    hit.click()

    assert browser.current_url == f"{served.base}/stories/{served.ids.orchard}"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Apples galore"
    assert "The harvest was the best in years." in browser.find_element(By.ID, "text").text
    reposts = browser.find_element(By.ID, "reposts").text
    assert "town.org" in reposts and "0.81" in reposts
    browser.find_element(By.ID, "cluster-link").click()

    assert browser.current_url == f"{served.base}/clusters/{served.ids.orchard}"
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "table.cluster tbody tr")]
    assert len(rows) == 2 and "original" in rows[0] and "near" in rows[1] and "town.org" in rows[1]
    screenshot = tmp_path / "cluster.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and screenshot.stat().st_size > 1000


def test_archived_scripts_never_run_and_show_as_text(browser: WebDriver, served: Served) -> None:
    for path in ["/", f"/stories/{served.ids.hostile}", f"/clusters/{served.ids.hostile}", "/?q=meeting"]:
        browser.get(served.base + path)
        _no_alert(browser)
        assert browser.execute_script("return typeof window.__pwned") == "undefined", path
        assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img"), path
        assert not browser.find_elements(By.CSS_SELECTOR, "a[href^='javascript:' i]"), path
    browser.get(f"{served.base}/stories/{served.ids.hostile}")
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Meeting {SCRIPT}"
    assert SCRIPT in browser.find_element(By.ID, "text").text and IMAGE in browser.find_element(By.ID, "text").text
    assert browser.find_element(By.CSS_SELECTOR, ".author").text == IMAGE
    for link in browser.find_elements(By.CSS_SELECTOR, "a.outbound"):  # the only links out: http(s), no referrer
        assert link.get_attribute("href").startswith(("http://", "https://"))
        assert link.get_attribute("rel") == "noopener noreferrer"


def _at_width(browser: WebDriver, width: int) -> None:
    """Lay pages out as on a screen ``width`` CSS pixels wide (a phone's viewport below 500)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500},
    )


def test_the_sites_page_flags_a_site_whose_extraction_fails(browser: WebDriver, served: Served) -> None:
    _at_width(browser, 1280)
    browser.get(served.base + "/sites")
    flags = [flag.text for flag in browser.find_elements(By.CSS_SELECTOR, ".health .flag")]
    assert flags == [
        "yield 10% of 10 article pages (usual 100%)",
        "median 35 words (usual 640), with the layout changed (furniture 100% new or gone)",
    ]
    assert LONG_URL in browser.find_element(By.CSS_SELECTOR, ".health .url").text
    browser.get(served.base + "/runs")
    assert [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, ".runs tbody tr td:last-child")][:2] == [
        "drift\nA\nfarm.org",
        "ok",
    ]


def _layout_pages(ids: WebArchive) -> list[str]:
    """The pages with tables (and the story page's list of facts)."""
    return [
        f"/stories/{ids.market}",
        f"/stories/{ids.orchard}",
        f"/clusters/{ids.market}",
        f"/clusters/{ids.orchard}",
        "/sites",
        "/runs",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_table_cells_keep_their_words_whole_and_their_text_inside(
    browser: WebDriver, served: Served, width: int, tmp_path: Path
) -> None:
    _at_width(browser, width)
    problems = {}
    for path in _layout_pages(served.ids):
        browser.get(served.base + path)
        assert browser.find_elements(By.CSS_SELECTOR, "main td"), path
        if found := browser.execute_script(BROKEN_CELLS, "main th, main td, .metadata dd"):
            problems[path] = found
        browser.save_screenshot(str(tmp_path / f"{path.strip('/').replace('/', '-') or 'latest'}-{width}.png"))
    assert not problems, problems


@pytest.mark.parametrize("width", WIDTHS)
def test_the_menu_fits_the_screen(browser: WebDriver, served: Served, width: int) -> None:
    _at_width(browser, width)
    for path in ["/", "/runs", "/sites"]:
        browser.get(served.base + path)
        links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")]
        assert links == ["newsarchive", "Latest", "Duplicates", "Sites", "Crawl runs", "API"], path
        assert browser.execute_script(MENU_PROBLEMS) == [], (path, width)


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/?page=abc", "400 Bad Request", "page"),
        ("/?page=0", "400 Bad Request", "greater than or equal to 1"),
        ("/clusters?page=-3", "400 Bad Request", "page"),
        ("/stories/abc", "404 Not Found", "story_id"),
        ("/stories/987654", "404 Not Found", "no story 987654"),
        ("/no/such/page", "404 Not Found", "Not Found"),
    ],
)
def test_bad_addresses_get_the_styled_error_page(
    browser: WebDriver, served: Served, path: str, status: str, says: str
) -> None:
    _at_width(browser, 390)
    browser.get(served.base + path)
    assert browser.find_element(By.TAG_NAME, "h1").text == status
    assert says in browser.find_element(By.CSS_SELECTOR, "main .error").text
    assert browser.execute_script(MENU_PROBLEMS) == []
    stylesheet = browser.execute_script("return getComputedStyle(document.querySelector('header')).backgroundColor")
    assert stylesheet == "rgb(29, 53, 87)", "the error page is not styled"
    assert not browser.find_element(By.TAG_NAME, "body").text.lstrip().startswith("{"), "raw JSON instead of a page"
