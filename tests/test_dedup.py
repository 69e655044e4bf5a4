"""Near-duplicate detection: reposts are one story, stories on the same topic are not."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from crawler.dedup.compare import DedupConfig, similarity, verified
from crawler.dedup.minhash import band_keys, fingerprint, signature
from crawler.dedup.shingles import MAX_CHARS, poly64_hash32, poly64_id, shingle_ids, shingle_strings, shingles, tokens
from crawler.demo.newsweb import Story, edited
from fixture_web import load_articles, load_seed

CONFIG = DedupConfig()
SHA1 = DedupConfig(hashfunc="sha1")


def _text(story: Story) -> str:
    return "\n".join(story.paragraphs)


def _same(a: Story, b: Story) -> bool:
    return verified(_text(a), shingles(_text(a), CONFIG), _text(b), shingles(_text(b), CONFIG), CONFIG)[1] is not None


@pytest.fixture(scope="module")
def articles() -> dict[str, Story]:
    return load_articles()


REPOSTS = {
    "new headline": dict(title="A different headline entirely"),
    "dateline": dict(dateline="WASHINGTON (AP) —"),
    "editor's note": dict(editor_note="Editor's note: This story has been corrected to fix the name of a spokesman."),
    "last paragraphs cut": dict(keep=-3),
    "all edits at once": dict(
        title="Other", dateline="LONDON (Reuters) —", editor_note="Editor's note: updated.", keep=-2
    ),
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
    for empty in ("", "   \n ", "— … ¡!"):
        assert shingles(empty, CONFIG).size == 0
        assert similarity(shingles(empty, CONFIG), shingles(empty, CONFIG)).merged_by(CONFIG) is None
    assert shingle_strings("one two", 5) == ["one two"]
    assert shingles("one", CONFIG).size == 1
    short = similarity(
        shingles("breaking news", CONFIG), shingles("breaking news update on the storm tonight and more", CONFIG)
    )
    assert short.merged_by(CONFIG) is None


def test_text_without_spaces_is_shingled_by_characters() -> None:
    assert tokens("東京で地震 Tokyo quake") == ["東", "京", "で", "地", "震", "tokyo", "quake"]
    story = "東京都は十日、新しい防災計画を発表した。地震や台風に備えて、避難所の数を二倍に増やすという。" * 3
    other = "大阪府は十一日、観光客の増加に対応するため、新しい交通計画をまとめた。駅の周辺に案内所を設ける。" * 3
    assert shingles(story, CONFIG).size > 40
    assert similarity(shingles(story, CONFIG), shingles("【速報】" + story[:-10], CONFIG)).merged_by(CONFIG) is not None
    assert similarity(shingles(story, CONFIG), shingles(other, CONFIG)).merged_by(CONFIG) is None


def test_a_gigantic_text_is_shingled_whole_and_matches_its_repost(articles: dict[str, Story]) -> None:
    giant = "\n".join(_text(s) for s in articles.values()) * 40  # ~2 million characters: the first MAX_CHARS count
    assert len(giant) > MAX_CHARS
    ids = shingles(giant, CONFIG)
    assert ids.size == len(set(shingle_strings(giant, 5)))
    repost = shingles("Editor's note: a long read.\n" + giant[: len(giant) // 2], CONFIG)
    assert similarity(ids, repost).merged_by(CONFIG) is not None
    assert signature(ids, CONFIG).jaccard(signature(ids, CONFIG)) == 1.0


def test_fingerprint_ignores_case_spacing_and_punctuation_only() -> None:
    assert fingerprint("Hello,  World!\nBye.") == fingerprint("hello world bye")
    assert fingerprint("hello world") != fingerprint("hello world again")


def _datasketch(text: str, **kwargs: object) -> MinHash:
    """The reference: datasketch's own MinHash fed the shingle strings one by one."""
    reference = MinHash(num_perm=CONFIG.num_perm, seed=CONFIG.seed, scheme=CONFIG.scheme, **kwargs)
    for shingle in shingle_strings(text, 5):
        reference.update(shingle.encode("utf-8"))
    return reference


def _real_texts(articles: dict[str, Story]) -> list[str]:
    texts = [_text(s) for s in [load_seed(), *articles.values()]]
    return texts + ["Straße, ﬁnance and İstanbul: ΣΊΣΥΦΟΣ", "東京で地震。 Tokyo quake", "one", ""]


def test_signatures_equal_datasketch_minhash_with_the_same_hash(articles: dict[str, Story]) -> None:
    for text in _real_texts(articles):
        ours = signature(shingles(text, CONFIG), CONFIG)
        assert isinstance(ours, LeanMinHash) and ours.scheme == "affine32" and ours.seed == CONFIG.seed
        assert np.array_equal(ours.hashvalues, _datasketch(text, hashfunc=poly64_hash32).hashvalues), text[:60]


def test_sha1_signatures_equal_datasketch_defaults(articles: dict[str, Story]) -> None:
    for text in _real_texts(articles)[:12] + _real_texts(articles)[-4:]:
        ours = signature(shingles(text, SHA1), SHA1)
        assert np.array_equal(ours.hashvalues, _datasketch(text).hashvalues), text[:60]


def test_vectorised_tokens_and_hashes_equal_the_reference_on_any_unicode() -> None:
    rng = random.Random(5)
    alphabet = "aZ9_ .,;\n\t-’“”ßẞﬁİıΣσς東京で地震ไทยກ한국\u0301\u200d🏳️🌈\x01\x00Ⅻ²"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        for size in (1, 3, 5):
            expected = sorted({poly64_id(s.encode("utf-8")) for s in shingle_strings(text, size)})
            assert shingle_ids(text, size).tolist() == expected, repr(text)


def test_shingle_ids_are_one_per_distinct_shingle_string(articles: dict[str, Story]) -> None:
    for text in _real_texts(articles):
        strings = set(shingle_strings(text, 5))
        assert shingles(text, CONFIG).size == len(strings)
        assert shingles(text, SHA1).size == len(strings)


def test_signature_estimates_jaccard_and_works_in_datasketch_lsh(articles: dict[str, Story]) -> None:
    stories = list(articles.values())
    a, b = shingles(_text(stories[0]), CONFIG), shingles(_text(edited(stories[0], keep=-3)), CONFIG)
    assert abs(signature(a, CONFIG).jaccard(signature(b, CONFIG)) - similarity(a, b).jaccard) < 0.15
    lsh = MinHashLSH(threshold=0.5, num_perm=CONFIG.num_perm)
    for story in stories:
        lsh.insert(story.slug, signature(shingles(_text(story), CONFIG), CONFIG))
    repost = edited(stories[0], dateline="PARIS (AFP) —", editor_note="Editor's note: updated.")
    assert lsh.query(signature(shingles(_text(repost), CONFIG), CONFIG)) == [stories[0].slug]


def test_reposts_share_an_lsh_bucket_and_unrelated_stories_do_not(articles: dict[str, Story]) -> None:
    stories = list(articles.values())
    keys = lambda s: set(band_keys(signature(shingles(_text(s), CONFIG), CONFIG), CONFIG))  # noqa: E731
    assert len(keys(stories[0])) == CONFIG.bands
    assert keys(stories[0]) & keys(edited(stories[0], keep=-3, dateline="PARIS —"))
    for other in stories[1:]:
        assert not keys(stories[0]) & keys(other), other.slug


@pytest.mark.parametrize(
    "field,value",
    [("lsh_threshold", 0.0), ("jaccard_threshold", 1.5), ("num_perm", 0), ("scheme", "legacy"), ("hashfunc", "md5")],
)
def test_config_rejects_bad_values_naming_them(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        DedupConfig(**{field: value})
