"""``pip install`` gives the product: the crawler, the archive and the demo with its sample web, no test fixtures."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

#: Run the installed ``newsarchive`` from the folder the wheel was unpacked to, never from this checkout.
FROM_WHEEL = """
import sys
sys.path.insert(0, sys.argv[1])
import crawler, storage
assert crawler.__file__.startswith(sys.argv[1]) and storage.__file__.startswith(sys.argv[1]), "not run from the wheel"
from crawler.cli import main
sys.argv = ["newsarchive", *sys.argv[2:]]
main()
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("newsarchive-*.whl")
    return built


def test_the_wheel_holds_the_crawler_the_archive_and_the_demo_web(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {name.split("/")[0] for name in names} == {"crawler", "storage", f"{wheel.name.split('-py')[0]}.dist-info"}
    for shipped in (
        "crawler/demo/stories.json",
        "crawler/demo/newsweb/server.py",
        "crawler/web/templates/base.html",
        "crawler/web/static/style.css",
        "storage/migrations/env.py",
        "storage/migrations/script.py.mako",
    ):
        assert shipped in names
    assert len([n for n in names if n.startswith("storage/migrations/versions/") and n.endswith(".py")]) >= 10


def test_the_wheel_leaves_the_test_webs_out(wheel: Path) -> None:
    modules = {Path(name).stem for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    test_only = {path.stem for path in (ROOT / "tests").glob("*.py")}
    assert {"furniture_web", "furniture_themes", "repost_edits", "repost_web", "failing_sites"} <= test_only
    assert not modules & test_only


def test_the_demo_runs_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NEWSARCHIVE_DB", "SCRAPY_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(target)  # the extraction workers import the crawler from the wheel too
    db = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-c", FROM_WHEEL, str(target), "demo", "--db", str(db)],
        cwd=tmp_path,  # no scrapy.cfg here: the settings come from the installed package
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        stories, copies = conn.execute("SELECT COUNT(*), (SELECT COUNT(*) FROM sightings) FROM stories").fetchone()
    assert stories == 9 and copies == 12  # nine stories, three of them reposted (crawler/demo/__init__.py)
