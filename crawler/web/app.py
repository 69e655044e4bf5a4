"""The app: a read-only FastAPI over one archive, its pages and API, with security headers on every response."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from crawler import __version__
from crawler.web import api, pages
from crawler.web.templating import templates
from storage import Archive

#: Our pages run no script at all; archived text is only ever text.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; img-src 'self'"
)
#: The interactive API docs (/docs) load Swagger UI from its CDN, with an inline script: only that page allows them.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(archive: Archive, warc_dir: str | os.PathLike[str] | None = None) -> FastAPI:
    """Return the web app over ``archive`` (opened and closed by the caller).

    ``warc_dir``: read raw captures from this folder instead of where they were written.
    """
    app = FastAPI(
        title="newsarchive",
        version=__version__,
        description="Read-only API over a newsarchive archive: stories, search, duplicate clusters, sites, crawl runs.",
        redoc_url=None,
    )
    app.state.archive = archive
    app.state.warc_dir = warc_dir
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.middleware("http")(_security_headers)
    app.exception_handler(HTTPException)(_error_page)
    return app


async def _security_headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
    response = await call_next(request)
    policy = DOCS_POLICY if request.url.path == request.app.docs_url else CONTENT_SECURITY_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _error_page(request: Request, exc: HTTPException) -> Response:
    """Errors of the API are JSON; errors of the pages are a page."""
    if request.url.path.startswith(("/api/", "/openapi.json", "/static/")):
        return await http_exception_handler(request, exc)
    context = {"status": exc.status_code, "detail": exc.detail}
    return templates.TemplateResponse(request, "error.html", context, status_code=exc.status_code, headers=exc.headers)
