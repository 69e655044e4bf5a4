"""The project runs from a zipped egg, as scrapyd runs what ``scrapyd-deploy`` uploads."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tomllib
import zipfile
from configparser import ConfigParser
from pathlib import Path

from conftest import ROOT
from crawler.demo.newsweb import NewsWeb

#: What scrapyd's runner does: the egg first on sys.path, the settings module from the egg's entry point.
RUNNER = """
import os, sys
sys.path.insert(0, sys.argv[1])
os.environ["SCRAPY_SETTINGS_MODULE"] = sys.argv[2]
import crawler, storage
assert crawler.__file__.startswith(sys.argv[1]) and storage.__file__.startswith(sys.argv[1]), "not run from the egg"
from scrapy.cmdline import execute
execute(["scrapy", "crawl", "news", *sys.argv[3:]])
"""


def _egg(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as egg:
        for package in ("crawler", "storage"):
            for file in (ROOT / package).rglob("*"):
                if file.is_file() and "__pycache__" not in file.parts:
                    egg.write(file, file.relative_to(ROOT))
    return path


def test_scrapyd_deploy_finds_its_target_and_the_settings_module() -> None:
    config = ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    assert config["deploy"]["project"] == "newsarchive"
    entry_points = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["entry-points"]
    assert entry_points["scrapy"]["settings"] == config["settings"]["default"]


def test_a_crawl_runs_from_a_zipped_egg_and_migrates_its_archive(news_web: NewsWeb, tmp_path: Path) -> None:
    site = next(iter(news_web.sites))
    db = tmp_path / "archive.db"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NEWSARCHIVE_DB", "SCRAPY_SETTINGS_MODULE")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER,
            str(_egg(tmp_path / "newsarchive.egg")),
            "crawler.settings",
            "-a",
            f"start_urls={news_web.url(site)}",
            "-s",
            f"NEWSARCHIVE_DB={db}",
            "-s",
            f"NEWSARCHIVE_SITE={site}",
            "-s",
            "EXTRACT_WORKERS=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT site, finish_reason FROM runs").fetchall() == [(site, "finished")]
        assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] > 0
