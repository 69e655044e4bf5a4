"""The HTML pages: server-rendered from what the API functions return, no JavaScript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from crawler.web import api
from crawler.web.api import ArchiveDep, PageNumber, SelectionDep
from crawler.web.templating import templates
from storage.health import run_verdicts
from storage.read.browse import story_sites
from storage.read.site_names import site_names
from storage.warc import read_http_response

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

#: The raw capture is the archived site's own bytes: shown as text, in a sandbox, never run in our origin.
RAW_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "X-Content-Type-Options": "nosniff",
}


def render(request: Request, name: str, **context: Any) -> HTMLResponse:
    """Render page ``name``; every page can name its sites (``labels``: host:port -> name)."""
    labels = site_names(request.app.state.archive)
    return templates.TemplateResponse(request, name, {"labels": labels} | context)


@router.get("/")
def latest_page(
    request: Request,
    archive: ArchiveDep,
    selection: SelectionDep,
    q: Annotated[str, Query()] = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    listing = None if q.strip() else api.stories_api(archive, selection, page)
    hits = api.find(archive, q, selection, page, api.PER_PAGE) if q.strip() else None
    more = listing.page < listing.pages if listing else len(hits or ()) == api.PER_PAGE
    return render(
        request,
        "stories.html",
        q=q,
        selection=selection,
        sites=story_sites(archive),
        listing=listing,
        hits=hits,
        page=page,
        more=more,
    )


@router.get("/stories/{story_id}")
def story_page(request: Request, archive: ArchiveDep, story_id: int) -> HTMLResponse:
    return render(request, "story.html", story=api.story_api(archive, story_id))


@router.get("/stories/{story_id}/raw", response_class=Response)
def raw_capture(request: Request, archive: ArchiveDep, story_id: int) -> Response:
    """The HTTP response of the story's page as recorded in WARC (status line, headers, body), as plain text."""
    story = api.story_api(archive, story_id)
    location = archive.capture_of(story.url)
    if location is None:
        raise HTTPException(404, f"story {story_id} was archived without a raw capture")
    if request.app.state.warc_dir:
        location = location.moved_to(request.app.state.warc_dir)
    try:
        data = read_http_response(location)
    except (OSError, ValueError) as exc:
        raise HTTPException(404, f"cannot read the WARC record of story {story_id}: {exc}") from exc
    disposition = f'inline; filename="story-{story_id}.http"'
    return Response(data, media_type="text/plain", headers=RAW_HEADERS | {"Content-Disposition": disposition})


@router.get("/clusters")
def clusters_page(request: Request, archive: ArchiveDep, site: str = "", page: PageNumber = 1) -> HTMLResponse:
    return render(request, "clusters.html", listing=api.clusters_api(archive, site, page), site_filter=site)


@router.get("/clusters/{story_id}")
def cluster_page(request: Request, archive: ArchiveDep, story_id: int) -> HTMLResponse:
    return render(request, "cluster.html", cluster=api.cluster_api(archive, story_id))


@router.get("/sites")
def sites_page(request: Request, archive: ArchiveDep) -> HTMLResponse:
    reports = api.sites_api(archive)
    top = max((day.stories for report in reports for day in report.per_day), default=0)
    return render(request, "sites.html", reports=reports, top=top)


@router.get("/runs")
def runs_page(request: Request, archive: ArchiveDep) -> HTMLResponse:
    runs = api.runs_api(archive)
    return render(request, "runs.html", runs=runs, health=run_verdicts(archive, [run.id for run in runs]))
