"""Near-duplicate detection: reposts are one story, stories on the same topic are not."""

from __future__ import annotations

import dataclasses

import pytest
from datasketch import LeanMinHash, MinHash

from crawler.dedup import DedupConfig, band_keys, fingerprint, shingles, signature, similarity
from crawler.newsweb import Story, edited
from fixture_web import load_articles, load_seed

CONFIG = DedupConfig()


def _text(story: Story) -> str:
    return "\n".join(story.paragraphs)


def _same(a: Story, b: Story) -> bool:
    return similarity(shingles(_text(a), 5), shingles(_text(b), 5)).same_story(CONFIG)


@pytest.fixture(scope="module")
def articles() -> dict[str, Story]:
    return load_articles()


REPOSTS = {
    "new headline": dict(title="A different headline entirely"),
    "dateline": dict(dateline="WASHINGTON (AP) —"),
    "editor's note": dict(editor_note="Editor's note: This story has been corrected to fix the name of a spokesman."),
    "last paragraphs cut": dict(keep=-3),
    "all edits at once": dict(title="Other", dateline="LONDON (Reuters) —", editor_note="Editor's note: updated.", keep=-2),
}


@pytest.mark.parametrize("edit", REPOSTS)
def test_a_repost_with_realistic_edits_is_the_same_story(articles: dict[str, Story], edit: str) -> None:
    for story in [load_seed(), *articles.values()]:
        assert _same(story, edited(story, **REPOSTS[edit])), story.slug


@pytest.mark.parametrize(
    "a,b",
    [
        ("meth-we-re-on-it-south", "south-dakota-doubles-down"),
        ("doobie-brothers-to-reunite", "50th-anniversary"),
        ("develops-feather-duvet", "bedding-gave-him"),
        ("commercial-moon-shot", "five-companies"),
    ],
)
def test_different_stories_on_the_same_topic_are_not_merged(articles: dict[str, Story], a: str, b: str) -> None:
    (first,) = [s for slug, s in articles.items() if a in slug]
    (second,) = [s for slug, s in articles.items() if b in slug]
    assert not _same(first, second)


def test_stories_sharing_a_long_quote_are_not_merged(articles: dict[str, Story]) -> None:
    quoted = load_seed()
    quote = tuple(sorted(quoted.body, key=len)[-4:])  # its four longest paragraphs, about 150 words
    for story in articles.values():
        half = story.body[: len(story.body) // 2]
        quoting = dataclasses.replace(story, body=half[:2] + quote + half[2:])
        assert not _same(quoted, quoting), story.slug


def test_no_two_distinct_articles_are_merged(articles: dict[str, Story]) -> None:
    stories = list(articles.values())
    for i, a in enumerate(stories):
        for b in stories[i + 1 :]:
            assert not _same(a, b), (a.slug, b.slug)


def test_empty_and_tiny_texts_are_never_duplicates() -> None:
    assert not similarity(shingles("", 5), shingles("", 5)).same_story(CONFIG)
    assert shingles("one two", 5) == frozenset({"one two"})
    short = similarity(shingles("breaking news", 5), shingles("breaking news update on the storm tonight and more", 5))
    assert not short.same_story(CONFIG)


def test_fingerprint_ignores_case_spacing_and_punctuation_only() -> None:
    assert fingerprint("Hello,  World!\nBye.") == fingerprint("hello world bye")
    assert fingerprint("hello world") != fingerprint("hello world again")


def test_signature_is_a_datasketch_minhash_estimating_jaccard(articles: dict[str, Story]) -> None:
    story = next(iter(articles.values()))
    a, b = shingles(_text(story), 5), shingles(_text(edited(story, keep=-3)), 5)
    sig_a, sig_b = signature(a, CONFIG), signature(b, CONFIG)
    assert isinstance(sig_a, LeanMinHash)
    reference = MinHash(num_perm=CONFIG.num_perm, seed=CONFIG.seed, scheme=CONFIG.scheme)
    reference.update_batch([s.encode() for s in a])
    assert sig_a == LeanMinHash(reference)
    assert abs(sig_a.jaccard(sig_b) - similarity(a, b).jaccard) < 0.15


def test_reposts_share_an_lsh_bucket_and_unrelated_stories_do_not(articles: dict[str, Story]) -> None:
    stories = list(articles.values())
    keys = lambda s: set(band_keys(signature(shingles(_text(s), 5), CONFIG), CONFIG))  # noqa: E731
    assert len(keys(stories[0])) == CONFIG.bands
    assert keys(stories[0]) & keys(edited(stories[0], keep=-3, dateline="PARIS —"))
    assert not keys(stories[0]) & keys(stories[1])


@pytest.mark.parametrize("field,value", [("lsh_threshold", 0.0), ("jaccard_threshold", 1.5), ("num_perm", 0)])
def test_config_rejects_bad_values_naming_them(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        DedupConfig(**{field: value})
