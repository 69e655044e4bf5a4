"""Read ``sites.toml``: one ``[[site]]`` table per site. Errors name the file, the line and the key.

    [[site]]
    name = "Daily Ledger"
    start_urls = ["https://ledger.example/"]
    feeds = ["https://ledger.example/feed.xml"]
    exclude = ["/live/"]
    max_pages = 500
    max_listing_pages = 200
    schedule = "30m"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from crawler.sites import SiteConfig

_KEYS = {f.name: f for f in fields(SiteConfig)}
_LISTS = ("start_urls", "feeds", "sitemaps", "include", "exclude")
_INTS = ("max_pages", "depth", "concurrency", "max_listing_pages")
_HEADER = re.compile(r"^\s*\[")
_SITE_HEADER = re.compile(r"^\s*\[\[\s*site\s*\]\]")


class SitesFileError(ValueError):
    """A sites file that cannot be used; the message reads ``FILE:LINE: key: what is wrong``."""


def load_sites(path: str | Path, only: list[str] | tuple[str, ...] = ()) -> list[SiteConfig]:
    """Return the sites of the TOML file ``path``, only those named in ``only`` if given."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesFileError(f"{path}: cannot read the sites file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{path}: not valid TOML: {exc}") from None
    lines = text.splitlines()
    for key in data:
        if key != "site":
            raise SitesFileError(f"{path}:{_line_of(lines, None, key)}: {key}: unknown key; sites are [[site]] tables")
    entries = data.get("site", [])
    if not isinstance(entries, list) or not entries:
        raise SitesFileError(f"{path}: no [[site]] table: give at least one site")
    sites = [_site(path, lines, i, entry) for i, entry in enumerate(entries)]
    names = [s.name for s in sites]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise SitesFileError(f"{path}:{_line_of(lines, i, 'name')}: name: {name!r} is used by two sites")
    unknown = [n for n in only if n not in names]
    if unknown:
        raise SitesFileError(f"{path}: no site named {', '.join(map(repr, unknown))}; sites: {', '.join(names)}")
    return [s for s in sites if not only or s.name in only]


def _site(path: Path, lines: list[str], index: int, entry: dict[str, Any]) -> SiteConfig:
    def fail(key: str | None, message: str) -> SitesFileError:
        line = _line_of(lines, index, key)
        return SitesFileError(f"{path}:{line}: {key + ': ' if key else ''}{message}")

    for key in entry:
        if key not in _KEYS:
            raise fail(key, f"unknown key; expected one of {', '.join(_KEYS)}")
    for key in ("name", "start_urls"):
        if key not in entry:
            raise fail(None, f"site #{index + 1} has no {key}")
    values: dict[str, Any] = {}
    for key, value in entry.items():
        values[key] = _typed(key, value, fail)
    try:
        return SiteConfig(**values)
    except ValueError as exc:  # its message starts with the key at fault
        key = str(exc).split()[0].rstrip(":")
        raise SitesFileError(f"{path}:{_line_of(lines, index, key)}: {exc}") from None


def _typed(key: str, value: Any, fail: Any) -> Any:
    """Return ``value`` in the type ``key`` takes, or raise ``fail(key, why)``."""
    if key in _LISTS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"must be a list of strings, got {value!r}")
        return tuple(value)
    if key in _INTS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(key, f"must be a whole number, got {value!r}")
        return value
    if key == "max_age_days":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(key, f"must be a number of days, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise fail(key, f"must be a string, got {value!r}")
    return value


def _line_of(lines: list[str], index: int | None, key: str | None) -> int:
    """Return the 1-based line of ``key`` in the ``index``-th ``[[site]]`` table (top level if None)."""
    starts = [n for n, line in enumerate(lines) if _SITE_HEADER.match(line)]
    if index is None:
        begin, end = 0, len(lines)
    else:
        begin = starts[index] if index < len(starts) else 0
        end = next((n for n in range(begin + 1, len(lines)) if _HEADER.match(lines[n])), len(lines))
    if key:
        name = re.escape(key)
        assignment = re.compile(rf"^\s*(?:[\"']?{name}[\"']?\s*=|\[+\s*{name}\s*\]+)")
        for n in range(begin, end):
            if assignment.match(lines[n]):
                return n + 1
    return begin + 1
