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

from crawler.web import create_app
from databases import missing_service
from storage import Archive
from web_archive import IMAGE, SCRIPT, WebArchive, fill

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Headless, no sandbox (root in a container), and nothing that would reach out to the network by itself.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-extensions", "--window-size=1280,1000",
)


@dataclass
class Served:
    base: str
    ids: WebArchive


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over the web test archive, served by uvicorn in a thread on a free loopback port."""
    with Archive(str(tmp_path_factory.mktemp("browser") / "archive.db")) as archive:
        ids = fill(archive)
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


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile, through Debian's chromedriver (Selenium never downloads one)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            missing_service("Chromium", FileNotFoundError(f"{path} is missing: apt-get install chromium chromium-driver"))
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
