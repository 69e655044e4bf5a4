"""Jinja2 for the pages: autoescape on everywhere, and the few filters that keep archived text inert."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from crawler.urls import is_http_url
from storage.read.search import MARK_END, MARK_START

_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


def marked(snippet: str) -> Markup:
    """Return a search snippet escaped, its matched words in ``<mark>``."""
    out, position = [], 0
    for match in _MARKED.finditer(snippet):
        out += [escape(snippet[position : match.start()]), Markup("<mark>"), escape(match.group(1)), Markup("</mark>")]
        position = match.end()
    out.append(escape(snippet[position:]))
    return Markup("").join(out)


def when(moment: datetime | None) -> Markup:
    """Return a moment as ``<time>`` (it never wraps at its hyphens), or nothing."""
    if not moment:
        return Markup("")
    return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M"))


def day(value: str | None, missing: str = "undated") -> Markup:
    """Return a publication date (ISO text, as extracted) as ``<time>``, or ``missing``."""
    return Markup("<time>{}</time>").format(value) if value else escape(missing)


def page_url(request: object, page: int) -> str:
    """Return the current page's path and query with ``page`` set: the other query parameters stay."""
    url = request.url.include_query_params(page=page)  # type: ignore[attr-defined]
    return f"{url.path}?{url.query}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.tests["web_url"] = is_http_url
    env.filters |= {"marked": marked, "when": when, "day": day}
    env.globals["page_url"] = page_url
    return env


templates = Jinja2Templates(env=_environment())
