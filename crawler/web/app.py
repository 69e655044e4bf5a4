"""The app: a read-only FastAPI over one archive, its pages and API, with security headers on every response."""

from __future__ import annotations

import os
from http import HTTPStatus
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
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
        dependencies=[Depends(_text_parameters)],
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
    app.exception_handler(RequestValidationError)(_bad_parameter)
    return app


def _text_parameters(request: Request) -> None:
    """Refuse a query parameter holding NUL (a 400): no site, date or word has one, and PostgreSQL takes none in a text."""
    for name, value in request.query_params.multi_items():
        if "\x00" in name + value:
            raise HTTPException(400, f"query parameter {name!r} holds a NUL character")


async def _security_headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
    response: Response = await call_next(request)
    policy = DOCS_POLICY if request.url.path == request.app.docs_url else CONTENT_SECURITY_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/openapi.json", "/static/"))


async def _error_page(request: Request, exc: HTTPException) -> Response:
    """Errors of the API are JSON; errors of the pages are a page."""
    if _is_api(request):
        return await http_exception_handler(request, exc)
    return _page(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))


async def _bad_parameter(request: Request, exc: RequestValidationError) -> Response:
    """A parameter that does not parse: the API says which and why (422, JSON); a page is a 404 for a bad path, else a 400."""
    message = validation_message(exc)
    if _is_api(request):
        return JSONResponse({"detail": message, "errors": jsonable_encoder(exc.errors())}, status_code=422)
    status = 404 if any(error["loc"][:1] == ("path",) for error in exc.errors()) else 400
    return _page(request, status, message)


def validation_message(exc: RequestValidationError) -> str:
    """Return one line per bad parameter: where it was, its name, why, and what was given."""
    lines = []
    for error in exc.errors():
        where, *name = error["loc"]
        given = f" (got {error['input']!r})" if "input" in error and error["input"] is not None else ""
        lines.append(f"{where} parameter {'.'.join(map(str, name)) or where!r}: {error['msg']}{given}")
    return "; ".join(lines)


def _page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    context = {"status": status, "reason": HTTPStatus(status).phrase, "detail": detail}
    return templates.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)
