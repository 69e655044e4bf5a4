"""What a response's bytes are: an image labelled HTML, a page cut short, text in another charset than declared.

Plain functions on bytes, no Scrapy: the spider asks them of every page before it
is extracted.
"""

from __future__ import annotations

import codecs
import re

#: How the formats a server may mislabel as text/html begin: images, PDF, archives, audio, video, fonts.
_MAGIC = (
    b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"%PDF-", b"PK\x03\x04", b"\x1f\x8b", b"BM",
    b"RIFF", b"OggS", b"ID3", b"fLaC", b"\x00\x00\x01\x00", b"wOFF", b"wOF2", b"\x7fELF", b"7z\xbc\xaf",
)  # fmt: skip
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: A whole HTML document ends with </body> or </html>; every real page of the extraction set does.
_END = re.compile(rb"</(?:body|html)\s*>", re.IGNORECASE)
#: How far from its end a page's closing tags may be (trailing scripts, comments, tracking pixels).
_TAIL = 64 * 1024


def is_binary(body: bytes) -> bool:
    """Return True if ``body`` is no text: a known binary format, or NUL bytes near its start (and no UTF-16 BOM)."""
    if body.startswith(_BOMS):
        return False
    head = body[:1024]
    return head.startswith(_MAGIC) or b"\x00" in head


def cut_short(body: bytes) -> bool:
    """Return True if the HTML of ``body`` stops before its end: no closing body or html tag near its end.

    A server that fails mid-page may still send a whole-looking response (a
    matching Content-Length, status 200): the markup is then all that tells.
    """
    return _END.search(body[-_TAIL:]) is None


def misdeclared_text(body: bytes, encoding: str) -> str | None:
    """Return the text of ``body`` if it is not written in its declared ``encoding``; None if it is.

    Non-ASCII bytes that decode as UTF-8 are UTF-8 (text in a legacy charset
    almost never does), whatever the page declares; a page declared UTF-8 that
    does not decode as UTF-8 was written in Windows-1252, the web's usual
    mislabelled charset (the WHATWG default for Western pages).
    """
    try:
        declared = codecs.lookup(encoding).name
    except LookupError:
        declared = ""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace") if declared in ("utf-8", "utf-8-sig") else None
    if declared in ("utf-8", "utf-8-sig") or body.isascii():
        return None
    return text.removeprefix("\ufeff")
