"""The JSON API (``/api/…``): read-only, one call beside each page; the pages render what these functions return."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from crawler.web.models import ClusterList, Run, SearchResults, Story, StoryList
from storage import Archive
from storage.read.browse import count_stories, latest_stories, story_by_id
from storage.read.clusters import Cluster, cluster, clusters
from storage.read.search import MARK_END, MARK_START, QueryTooLong, SearchHit, search
from storage.read.site_report import SiteReport, site_reports
from storage.runs import list_runs
from storage.selection import Selection

#: Stories or clusters per page, unless a call asks for another number.
PER_PAGE = 50
#: How deep a search can page: it ranks ``page * per_page`` hits to show the last ``per_page``.
MAX_SEARCH_HITS = 1000

router = APIRouter(prefix="/api", tags=["api"])

PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Day = Annotated[
    str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="YYYY-MM-DD (both bounds included); empty: none.")
]


def get_archive(request: Request) -> Archive:
    """The archive the app serves."""
    archive: Archive = request.app.state.archive
    return archive


ArchiveDep = Annotated[Archive, Depends(get_archive)]


def get_selection(
    site: Annotated[str, Query(description="Only stories of this site (host[:port]); empty: every site.")] = "",
    since: Day = "",
    until: Day = "",
) -> Selection:
    """The stories a list or search covers; a date that does not exist or an empty range is a 400."""
    try:
        return Selection(site or None, _day(since), _day(until))
    except ValueError as exc:
        raise HTTPException(400, f"bad date filter: {exc}") from exc


SelectionDep = Annotated[Selection, Depends(get_selection)]


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


@router.get("/stories", response_model=StoryList, summary="The latest stories")
def stories_api(
    archive: ArchiveDep, selection: SelectionDep, page: PageNumber = 1, per_page: PerPage = PER_PAGE
) -> StoryList:
    """The stories of the archive, the most recently archived first, filtered by site and publication date."""
    total = count_stories(archive, selection)
    rows = latest_stories(archive, selection, per_page, (page - 1) * per_page)
    return StoryList(stories=rows, total=total, page=page, pages=max(1, -(-total // per_page)), per_page=per_page)


@router.get("/stories/{story_id}", response_model=Story, summary="One story")
def story_api(archive: ArchiveDep, story_id: int) -> Story:
    """One story: clean text, metadata, the path of its raw capture and every other place it ran."""
    story = story_by_id(archive, story_id)
    if story is None:
        raise HTTPException(404, f"no story {story_id} in the archive")
    return Story.of(story, archive.capture_of(story["url"]) is not None)


def find(archive: Archive, q: str, selection: Selection, page: int, per_page: int) -> list[SearchHit]:
    """Return the ``page``-th ``per_page`` best stories matching every word of ``q``."""
    if page * per_page > MAX_SEARCH_HITS:
        raise HTTPException(400, f"a search shows its best {MAX_SEARCH_HITS} stories; ask for an earlier page")
    try:
        return search(archive, q, selection, page * per_page)[(page - 1) * per_page :]
    except QueryTooLong as exc:
        raise HTTPException(400, str(exc)) from exc


@router.get("/search", response_model=SearchResults, summary="Full-text search")
def search_api(
    archive: ArchiveDep,
    selection: SelectionDep,
    q: Annotated[str, Query(min_length=1, description="Words that must all match (stemmed); plain words, no syntax.")],
    page: PageNumber = 1,
    per_page: PerPage = PER_PAGE,
) -> SearchResults:
    """The stories matching every word of ``q``, best first, each with a snippet."""
    hits = find(archive, q, selection, page, per_page)
    plain = [replace(hit, snippet=hit.snippet.replace(MARK_START, "").replace(MARK_END, "")) for hit in hits]
    return SearchResults(query=q, hits=plain, page=page, per_page=per_page)


@router.get("/clusters", response_model=ClusterList, summary="Duplicate clusters")
def clusters_api(
    archive: ArchiveDep,
    site: Annotated[str, Query(description="Only clusters with a copy on this site.")] = "",
    page: PageNumber = 1,
    per_page: PerPage = PER_PAGE,
) -> ClusterList:
    """The stories found in more than one place, biggest first, each copy with its site, dates and similarity."""
    found = clusters(archive, site=site or None, limit=per_page + 1, offset=(page - 1) * per_page)
    return ClusterList(clusters=found[:per_page], page=page, per_page=per_page, more=len(found) > per_page)


@router.get("/clusters/{story_id}", response_model=Cluster, summary="One cluster")
def cluster_api(archive: ArchiveDep, story_id: int) -> Cluster:
    """Every place story ``story_id`` ran, its canonical copy first."""
    found = cluster(archive, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id} in the archive")
    return found


@router.get("/sites", response_model=list[SiteReport], summary="Sites")
def sites_api(archive: ArchiveDep) -> list[SiteReport]:
    """Every site: stories and reposts held, last fetch, new stories per day over two weeks, fetch errors by kind."""
    return site_reports(archive)


@router.get("/runs", response_model=list[Run], summary="Crawl runs")
def runs_api(archive: ArchiveDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[Run]:
    """The newest crawl runs first: when, which sites, their counts and how they ended."""
    return [Run(**run) for run in list_runs(archive, limit)]
