"""The words of a text: ``first_word`` reads a prefix only, and must agree with ``words`` on every text."""

from __future__ import annotations

import random

import pytest

from crawler.text import first_word, words

#: Characters where reading a prefix could go wrong: case folding that grows a character ("ß" -> "ss"),
#: splits a word ("İ" -> "i" and a combining dot, no word character) or makes a word character of a mark
#: (U+0345 -> "ι"), ligatures, digits, underscores, spaces and punctuation.
_TRICKY = ["a", "B", "7", "_", " ", "\n", ".", "-", "ß", "İ", "\u0307", "\u0345", "Σ", "ǅ", "ﬀ", "日"]


def test_the_first_word_is_the_first_of_the_words_on_texts_longer_than_any_prefix_read() -> None:
    rng = random.Random(15)
    for _ in range(20_000):
        text = "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 400)))
        found = words(text)
        assert first_word(text) == (found[0] if found else ""), repr(text)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("", ""),
        (" .- ", ""),
        ("Hello world", "hello"),
        (" " * 63 + "Straße", "strasse"),  # the word starts inside the first 64 characters and runs past them
        ("x" * 5000, "x" * 5000),
        ("\u0345 bc", "ι"),
        ("İstanbul", "i"),
    ],
)
def test_the_first_word_of_a_text(text: str, first: str) -> None:
    assert first_word(text) == first
