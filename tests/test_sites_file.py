"""sites.toml: every key read, and every mistake reported with its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from crawler.sites import SitesFileError, load_sites, site_sections

GOOD = """\
[[site]]
name = "Ledger"
start_urls = ["https://ledger.example/"]
feeds = ["https://ledger.example/rss.xml"]
sitemaps = ["https://ledger.example/news-sitemap.xml"]
include = ["/world/"]
exclude = ["/live/"]
max_pages = 50
depth = 2
max_age_days = 3
concurrency = 1
schedule = "30m"

[[site]]
name = "Wire"
start_urls = "https://wire.example/"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, "utf-8")
    return path


def test_every_key_is_read(tmp_path) -> None:
    ledger, wire = load_sites(write(tmp_path, GOOD))
    assert ledger.feeds == ("https://ledger.example/rss.xml",)
    assert ledger.sitemaps == ("https://ledger.example/news-sitemap.xml",)
    assert (ledger.include, ledger.exclude) == (("/world/",), ("/live/",))
    assert (ledger.max_pages, ledger.depth, ledger.max_age_days, ledger.concurrency) == (50, 2, 3.0, 1)
    assert ledger.schedule == "30m"
    assert wire.start_urls == ("https://wire.example/",)
    assert wire.max_pages is None and wire.schedule is None


def test_only_picks_sites_by_name(tmp_path) -> None:
    assert [s.name for s in load_sites(write(tmp_path, GOOD), ["Wire"])] == ["Wire"]


def test_the_shipped_example_is_valid() -> None:
    assert [s.name for s in load_sites(ROOT / "sites.example.toml")] == ["Daily Ledger", "Metro Wire"]


@pytest.mark.parametrize(
    "old,new,line,key",
    [
        ("max_pages = 50", 'max_pages = "fifty"', 8, "max_pages"),
        ("depth = 2", "dept = 2", 9, "dept"),
        ('schedule = "30m"', 'schedule = "every now and then"', 12, "schedule"),
        ('exclude = ["/live/"]', 'exclude = ["(live"]', 7, "exclude"),
        ('start_urls = "https://wire.example/"', 'start_urls = "wire.example"', 16, "start_urls"),
        ('name = "Wire"', 'name = "Ledger"', 15, "name"),
        ("max_age_days = 3", "max_age_days = -3", 10, "max_age_days"),
    ],
)
def test_a_bad_value_is_reported_with_file_line_and_key(tmp_path, old: str, new: str, line: int, key: str) -> None:
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(SitesFileError, match=rf"^{path}:{line}: {key}\b"):
        load_sites(path)


def test_a_toml_syntax_error_is_reported_with_its_line(tmp_path) -> None:
    path = write(tmp_path, GOOD.replace("depth = 2", "depth = 2 2"))
    with pytest.raises(SitesFileError, match=rf"^{path}: not valid TOML: .*line 9"):
        load_sites(path)


def test_a_site_without_start_urls_is_reported_at_its_table(tmp_path) -> None:
    path = write(tmp_path, GOOD.replace('start_urls = "https://wire.example/"\n', ""))
    with pytest.raises(SitesFileError, match=rf"^{path}:14: site #2 has no start_urls"):
        load_sites(path)


def test_an_unknown_site_name_lists_the_known_ones(tmp_path) -> None:
    with pytest.raises(SitesFileError, match="no site named 'Gazette'; sites: Ledger, Wire"):
        load_sites(write(tmp_path, GOOD), ["Gazette"])


def test_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(SitesFileError, match="nope.toml: cannot read"):
        load_sites(tmp_path / "nope.toml")


def test_each_sites_table_is_given_as_written_and_reads_back_as_the_same_site(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(f'# the sites\n{GOOD}\n[[site]]\nname = "Last"\nstart_urls = [\n  "https://last.example/",\n]\n')
    sites = {site.name: site for site in load_sites(path)}
    sections = site_sections(path)
    assert list(sections) == ["Ledger", "Wire", "Last"]
    for name, text in sections.items():
        alone = tmp_path / f"{name}.toml"
        alone.write_text(text)
        assert load_sites(alone) == [sites[name]]
    assert site_sections(path, ["Wire"]) == {"Wire": '[[site]]\nname = "Wire"\nstart_urls = "https://wire.example/"\n'}


def test_a_site_written_as_an_inline_table_cannot_be_sent_to_a_worker(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('site = [{name = "Wire", start_urls = ["https://wire.example/"]}]\n')
    with pytest.raises(SitesFileError, match=r"sites.toml: write each site as a \[\[site\]\] table"):
        site_sections(path)
