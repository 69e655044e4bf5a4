"""What a response's bytes are, before extraction: binary, cut short, or in another charset than declared."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.backoff import backoff, retry_after
from crawler.extract.payload import cut_short, is_binary, misdeclared_text

DATA = Path(__file__).parent / "data"
#: real news pages (tests/data/README.md says where they come from)
PAGES = sorted([*DATA.glob("*.html.gz"), *(DATA / "pages").glob("*.html.gz")])
TEXT = "Le café “Zur Post” – 5 € – naïve façade"


def test_images_and_documents_labelled_html_are_binary_text_in_any_charset_is_not() -> None:
    assert is_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert is_binary(b"%PDF-1.7\n%\xe2\xe3")
    assert is_binary(b"<html>\x00\x00\x00junk")
    assert not is_binary(f"<html><body>{TEXT}</body></html>".encode("cp1252"))
    assert not is_binary("\ufeff<html>x</html>".encode("utf-16-le"))  # NUL bytes, but a BOM says UTF-16


@pytest.mark.parametrize("fraction", [0.3, 0.55, 0.9])
def test_real_pages_are_whole_and_the_same_pages_cut_short_are_not(fraction: float) -> None:
    assert len(PAGES) >= 4
    for path in PAGES:
        body = gzip.decompress(path.read_bytes())
        assert not cut_short(body), path.name
        assert cut_short(body[: int(len(body) * fraction)]), path.name


def test_a_page_ending_in_scripts_after_its_closing_tags_is_whole() -> None:
    assert not cut_short(b"<html><body><p>x</p></body></html>\n<script>track()</script>\n<!-- 12 ms -->\n")
    assert cut_short(b"<html><body><p>The story goes on and")


@pytest.mark.parametrize(
    ("body", "declared", "expected"),
    [
        (TEXT.encode("cp1252"), "utf-8", TEXT),  # declared UTF-8, written in Windows-1252
        (TEXT.encode("utf-8"), "cp1252", TEXT),  # declared Windows-1252, written in UTF-8
        (TEXT.encode("utf-8"), "ascii", TEXT),  # no charset: Scrapy guessed
        (TEXT.encode("utf-8"), "utf-8", None),  # right
        (TEXT.encode("cp1252"), "cp1252", None),  # right
        (b"plain ascii", "cp1252", None),  # the same either way
        ("Вести дня".encode("koi8-r"), "koi8-r", None),  # another legacy charset, declared right
    ],
)
def test_text_in_another_charset_than_declared_is_read_in_its_own(body: bytes, declared: str, expected: str) -> None:
    assert misdeclared_text(body, declared) == expected


def test_retry_after_is_seconds_or_a_date_and_backoff_doubles_to_its_cap() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("120", now) == 120.0
    assert retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0  # past
    assert retry_after("soon", now) is None and retry_after(None, now) is None and retry_after(" ", now) is None
    assert [backoff(n, 1.0, 5.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
