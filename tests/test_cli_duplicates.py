"""``newsarchive duplicates`` and ``newsarchive explain`` on the archive the suite's crawls built."""

from __future__ import annotations

import re

import pytest

from conftest import Crawls, newsarchive
from fixture_web import FixtureWeb


def _reposts(test_web: FixtureWeb) -> list[tuple[str, str]]:
    """Return (URL of a repost, URL of the page carrying the original story) for every repost of the web."""
    home = {
        story.slug: site.article_url(story)
        for site in test_web.sites
        for story in site.stories
        if test_web.origin[(site.name, story.slug)] == story.slug
    }
    return [
        (site.article_url(story), home[test_web.origin[(site.name, story.slug)]])
        for site in test_web.sites
        for story in site.stories
        if test_web.origin[(site.name, story.slug)] != story.slug
    ]


def test_duplicates_lists_every_cluster_with_its_copies(crawls: Crawls, test_web: FixtureWeb) -> None:
    result = newsarchive("duplicates", "--db", str(crawls.db))
    assert result.returncode == 0, result.stderr
    blocks = re.split(r"^story \d+", result.stdout, flags=re.M)[1:]
    reposts = _reposts(test_web)
    assert len(blocks) == len(reposts)
    for repost, original in reposts:
        (block,) = [b for b in blocks if repost in b]
        lines = [line.split() for line in block.splitlines() if line.endswith((f" {repost}", f" {original}"))]
        assert sorted(line[0] for line in lines) == ["near", "original"]  # either one may have been seen first
        (near,) = [line for line in lines if line[0] == "near"]
        assert 0.5 <= float(near[1]) < 1.0
    assert f"{len(reposts)} stories with duplicates, {len(reposts)} duplicate copies" in result.stdout


def test_duplicates_filters_by_site_and_time(crawls: Crawls, test_web: FixtureWeb) -> None:
    ledger = test_web.sites[1]
    host = ledger.article_url(ledger.stories[0]).split("/")[2]
    on_site = newsarchive("duplicates", "--db", str(crawls.db), "--site", host)
    assert on_site.returncode == 0, on_site.stderr
    expected = [r for r in _reposts(test_web) if host in r[0] or host in r[1]]
    assert on_site.stdout.count("\nstory ") + on_site.stdout.startswith("story ") == len(expected)
    future = newsarchive("duplicates", "--db", str(crawls.db), "--since", "2999-01-01")
    assert future.returncode == 0 and "no duplicates since 2999-01-01" in future.stdout
    bad = newsarchive("duplicates", "--db", str(crawls.db), "--since", "last tuesday")
    assert bad.returncode == 2 and "not an ISO date" in bad.stderr


def test_explain_shows_why_a_repost_was_merged(crawls: Crawls, test_web: FixtureWeb) -> None:
    seed_repost = [r for r in _reposts(test_web) if r[1] == test_web.sites[0].article_url(test_web.seed)]
    ((repost, original),) = seed_repost
    result = newsarchive("explain", "--db", str(crawls.db), original, repost)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "merged: yes, one story" in out
    jaccard, containment = (float(x) for x in re.search(r"Jaccard ([\d.]+) .*containment ([\d.]+)", out).groups())
    assert containment > 0.9 and 0.5 <= jaccard < 1.0
    assert "same story: Jaccard" in out
    only_a, only_b = out.split("only in A:")[1].split("only in B:")
    assert "WASHINGTON —" in only_b  # the repost's dateline
    assert test_web.seed.paragraphs[-1].split(". ")[0] in only_a  # its cut ending


def test_explain_shows_why_stories_on_one_topic_were_not_merged(crawls: Crawls, test_web: FixtureWeb) -> None:
    meth = [site.article_url(s) for site in test_web.sites for s in site.stories if "meth" in s.slug]
    assert len(meth) == 2
    result = newsarchive("explain", "--db", str(crawls.db), *meth)
    assert result.returncode == 0, result.stderr
    assert "merged: no, two stories" in result.stdout
    assert "different stories: Jaccard" in result.stdout


@pytest.mark.parametrize("which", [0, 1])
def test_explain_says_clearly_when_a_url_is_not_archived(crawls: Crawls, test_web: FixtureWeb, which: int) -> None:
    archived = test_web.sites[0].article_url(test_web.seed)
    urls = [archived, archived]
    urls[which] = "http://127.0.0.1:9/never-crawled.html"
    result = newsarchive("explain", "--db", str(crawls.db), *urls)
    assert result.returncode == 1
    assert "not in the archive: http://127.0.0.1:9/never-crawled.html" in result.stderr
