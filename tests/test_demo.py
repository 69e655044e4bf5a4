"""``newsarchive demo --serve`` and ``--web-only``: what they serve stays up until Ctrl-C, then all of it stops."""

from __future__ import annotations

import json
import queue
import re
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import NEWSARCHIVE
from storage import Archive
from storage.read.browse import count_stories

SAMPLE_SITES = ("Riverside Courier", "Valley Post", "Metro Wire")


class Running:
    """A ``newsarchive`` command running in the background; its stderr lines read as they come."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [NEWSARCHIVE, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        """Return the first match of ``pattern`` in the lines printed so far or next."""
        for line in self.seen:
            if found := re.search(pattern, line):
                return found
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r} within {timeout}s; printed: {''.join(self.seen)}")
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found

    def ctrl_c(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def running() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for command in started:
        command.kill()


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def _refused(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=10).close()
    except urllib.error.URLError as exc:
        return isinstance(exc.reason, ConnectionRefusedError)
    return False


def test_demo_serve_keeps_the_sample_web_up_and_serves_its_archive_until_ctrl_c(
    running: list[Running], tmp_path: Path
) -> None:
    demo = Running("demo", "--serve", "--db", str(tmp_path / "demo.db"))
    running.append(demo)
    ui = demo.wait_for(r"web UI: (http://127\.0\.0\.1:\d+/)").group(1)
    status, body = _get(ui + "api/stories?per_page=200")
    stories = json.loads(body)["stories"]
    assert status == 200 and len(stories) == 9
    for story in stories:  # the archive's links lead to the sample web, still up
        assert _get(story["url"])[0] == 200, story["url"]
    status, sites = _get(ui + "sites")
    assert status == 200 and {story["site"] for story in stories} <= set(re.findall(r'class="host">([^<]+)<', sites))

    assert demo.ctrl_c() == 0
    assert _refused(ui) and _refused(stories[0]["url"])


def test_demo_web_only_serves_the_sample_web_for_a_crawl_by_hand(running: list[Running], tmp_path: Path) -> None:
    web = Running("demo", "--web-only")
    running.append(web)
    command = web.wait_for(r"try: newsarchive crawl (.*) --db demo\.db").group(1).split()
    served = {web.wait_for(rf"serving {name} on (\S+)").group(1) for name in SAMPLE_SITES}
    assert set(command) == served
    db = str(tmp_path / "by-hand.db")
    crawl = subprocess.run([NEWSARCHIVE, "crawl", *command, "--db", db], capture_output=True, text=True, timeout=300)
    assert crawl.returncode == 0, crawl.stderr
    with Archive(db, create=False) as archive:
        assert count_stories(archive) == 9

    assert web.ctrl_c() == 0
    assert all(_refused(url) for url in served)


def test_demo_web_only_takes_no_archive(tmp_path: Path) -> None:
    result = subprocess.run(
        [NEWSARCHIVE, "demo", "--web-only", "--db", str(tmp_path / "x.db")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "--web-only serves the sample web alone" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_demo_serve_on_a_busy_port_fails_before_crawling(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = subprocess.run(
            [NEWSARCHIVE, "demo", "--serve", "--port", str(port), "--db", str(tmp_path / "d.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "serving" not in result.stderr and not (tmp_path / "d.db").exists()
