"""Extraction health per site and run, and the judgement of a run against the site's own recent runs.

Sites change templates and extraction silently rots. Each run records, per site, how many of its
article pages gave an article (the yield), the median words of those articles, how many had a title,
a date and an author, and the site's learned furniture. A run is flagged when extraction failed,
not when the news was short:

- its yield falls well below the site's usual (pages that should be stories gave none), or
- its title or date share falls well below the usual (the metadata is no longer found), or
- its median length falls well below the usual *and* the page structure changed with it (the
  furniture learned, or the title/date shares). A day of short briefs in the usual template keeps its
  furniture, titles and dates: shorter, not broken.

"Usual" is the median over the site's previous ``HealthRule.recent`` runs with enough pages.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.db import as_utc
from storage.schema import runs, site_health

#: Examples kept per run and site: pages that gave no article, and the shortest articles.
EXAMPLES = 5


@dataclass(frozen=True)
class RunHealth:
    """How extraction went on one site in one run."""

    site: str
    #: article pages extracted (story URLs or listed by a sitemap/feed, not known before)
    pages: int
    #: of them, the ones that gave an article
    articles: int
    median_words: int | None = None
    with_title: int = 0
    with_date: int = 0
    with_author: int = 0
    #: the site's learned furniture (line keys) when the run ended
    furniture: frozenset[str] = frozenset()
    #: share of the furniture new or gone since the site's previous run; None: no previous run
    furniture_change: float | None = None
    #: (url, why) of pages that gave no article
    failures: tuple[tuple[str, str], ...] = ()
    #: URLs of the shortest articles, shortest first
    shortest: tuple[str, ...] = ()
    run_id: int | None = None
    started: datetime | None = None

    @property
    def yield_share(self) -> float | None:
        return self.articles / self.pages if self.pages else None

    def share(self, count: int) -> float | None:
        """Return ``count`` as a share of the articles."""
        return count / self.articles if self.articles else None


@dataclass(frozen=True)
class HealthRule:
    """When a run counts as extraction failing on a site; every field is checked on construction."""

    #: previous runs of the site that make its usual
    recent: int = 5
    #: a run with fewer article pages of a site is neither judged nor part of the usual
    min_pages: int = 5
    #: flag when the yield falls by this much (a share of pages) below the usual
    yield_drop: float = 0.3
    #: flag when the title or date share falls by this much below the usual
    metadata_drop: float = 0.5
    #: a median length below this fraction of the usual…
    length_ratio: float = 0.5
    #: …is flagged when the furniture changed by this share, or the title/date shares fell by this much
    structure_change: float = 0.3
    #: …and flagged whatever the layout when the median is below this many words, the length under which an
    #: undeclared page is no article (ARTICLE_MIN_WORDS): a site whose stories all shrink to a standfirst lost its text
    stub_words: int = 80

    def __post_init__(self) -> None:
        for name in ("recent", "min_pages", "stub_words"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("yield_drop", "metadata_drop", "length_ratio", "structure_change"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in (0.0, 1.0], got {getattr(self, name)!r}")


@dataclass(frozen=True)
class Verdict:
    """A run of a site judged against the site's usual: ``flags`` say what failed, ``notes`` what changed harmlessly."""

    health: RunHealth
    #: runs the usual was made of (0: nothing to compare with yet)
    baseline_runs: int = 0
    #: False when there was nothing to compare with, or the run had too few article pages
    judged: bool = False
    usual_yield: float | None = None
    usual_words: float | None = None
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: URLs that show what went wrong
    examples: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class HealthSummary:
    """A verdict as the web UI and the API show it: the run's numbers, the usual, and what was flagged."""

    site: str
    run_id: int | None
    pages: int
    articles: int
    median_words: int | None
    usual_words: float | None
    usual_yield: float | None
    title_share: float | None
    date_share: float | None
    author_share: float | None
    furniture_change: float | None
    #: runs the usual was made of; judged: False for a first run or one with too few article pages
    baseline_runs: int
    judged: bool
    flagged: bool
    flags: list[str]
    notes: list[str]
    examples: list[str]

    @classmethod
    def of(cls, verdict: Verdict) -> HealthSummary:
        h = verdict.health
        return cls(
            h.site,
            h.run_id,
            h.pages,
            h.articles,
            h.median_words,
            verdict.usual_words,
            verdict.usual_yield,
            h.share(h.with_title),
            h.share(h.with_date),
            h.share(h.with_author),
            h.furniture_change,
            verdict.baseline_runs,
            verdict.judged,
            verdict.flagged,
            list(verdict.flags),
            list(verdict.notes),
            list(verdict.examples),
        )


def save_health(archive: Archive, run_id: int, records: Iterable[RunHealth]) -> None:
    """Store the run's records; each one's furniture change is measured against its site's previous run."""
    with archive.engine.begin() as conn:
        for record in records:
            previous = conn.execute(
                sa.select(site_health.c.furniture)
                .where(site_health.c.site == record.site, site_health.c.run_id < run_id)
                .order_by(site_health.c.run_id.desc())
                .limit(1)
            ).scalar()
            change = None if previous is None else furniture_change(frozenset(json.loads(previous)), record.furniture)
            conn.execute(
                site_health.insert().values(
                    run_id=run_id,
                    site=record.site,
                    pages=record.pages,
                    articles=record.articles,
                    median_words=record.median_words,
                    with_title=record.with_title,
                    with_date=record.with_date,
                    with_author=record.with_author,
                    furniture=json.dumps(sorted(record.furniture)),
                    furniture_change=change,
                    failures=json.dumps([list(f) for f in record.failures[:EXAMPLES]]),
                    shortest=json.dumps(list(record.shortest[:EXAMPLES])),
                )
            )


def furniture_change(before: frozenset[str], after: frozenset[str]) -> float:
    """Return the share of the furniture in either set that is not in both (0.0: unchanged, 1.0: all new)."""
    union = before | after
    return len(union - (before & after)) / len(union) if union else 0.0


def history(archive: Archive, sites: Iterable[str] | None = None) -> dict[str, list[RunHealth]]:
    """Return every recorded run of each site (or of ``sites``), oldest first."""
    query = (
        sa.select(site_health, runs.c.started)
        .join(runs, runs.c.id == site_health.c.run_id)
        .order_by(site_health.c.site, site_health.c.run_id)
    )
    if sites is not None:
        query = query.where(site_health.c.site.in_(list(sites)))
    found: dict[str, list[RunHealth]] = {}
    with archive.engine.connect() as conn:
        for row in conn.execute(query):
            found.setdefault(row.site, []).append(_record(row))
    return found


def _record(row: sa.Row[Any]) -> RunHealth:
    return RunHealth(
        site=row.site,
        pages=row.pages,
        articles=row.articles,
        median_words=row.median_words,
        with_title=row.with_title,
        with_date=row.with_date,
        with_author=row.with_author,
        furniture=frozenset(json.loads(row.furniture)),
        furniture_change=row.furniture_change,
        failures=tuple((url, why) for url, why in json.loads(row.failures)),
        shortest=tuple(json.loads(row.shortest)),
        run_id=row.run_id,
        started=as_utc(row.started),
    )


def judge(runs_of_site: list[RunHealth], rule: HealthRule = HealthRule()) -> list[Verdict]:
    """Return a verdict on each run of one site (oldest first), each against the runs before it."""
    verdicts = []
    for i, run in enumerate(runs_of_site):
        earlier = [r for r in runs_of_site[:i] if r.pages >= rule.min_pages][-rule.recent :]
        verdicts.append(_verdict(run, earlier, rule))
    return verdicts


def _usual(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _verdict(run: RunHealth, earlier: list[RunHealth], rule: HealthRule) -> Verdict:
    usual_yield = _usual(r.yield_share for r in earlier)
    usual_words = _usual(r.median_words for r in earlier)
    judged = run.pages >= rule.min_pages and bool(earlier)
    verdict = Verdict(run, len(earlier), judged, usual_yield, usual_words)
    if not judged:
        return verdict
    failures = [url for url, _ in run.failures]
    yield_share = run.yield_share or 0.0
    if usual_yield is not None and usual_yield - yield_share >= rule.yield_drop:
        verdict.flags.append(f"yield {yield_share:.0%} of {run.pages} article pages (usual {usual_yield:.0%})")
        verdict.examples.extend(f"{url} ({why})" for url, why in run.failures)
    drops = {}
    for name in ("title", "date"):
        usual = _usual(r.share(getattr(r, f"with_{name}")) for r in earlier)
        now = run.share(getattr(run, f"with_{name}"))
        if usual is not None and now is not None:
            drops[name] = (usual - now, now, usual)
    for name, (drop, now, usual) in drops.items():
        if drop >= rule.metadata_drop:
            verdict.flags.append(f"{name} found on {now:.0%} of articles (usual {usual:.0%})")
    if usual_words and run.median_words is not None and run.median_words < rule.length_ratio * usual_words:
        change = run.furniture_change or 0.0
        metadata = max((drop for drop, _, _ in drops.values()), default=0.0)
        length = f"median {run.median_words} words (usual {usual_words:.0f})"
        evidence = [f"furniture {change:.0%} new or gone"] if change >= rule.structure_change else []
        if metadata >= rule.structure_change:
            evidence.append(f"titles/dates found {metadata:.0%} less often")
        if evidence or run.median_words < rule.stub_words:
            verdict.flags.append(
                f"{length}, with the layout changed ({', '.join(evidence)})"
                if evidence
                else f"{length}: under {rule.stub_words} words, what a page that lost its story keeps"
            )
            verdict.examples.extend(u for u in run.shortest if u not in verdict.examples)
        else:
            verdict.notes.append(f"{length}, same layout: shorter stories, not a failing extraction")
    if verdict.flags and not verdict.examples:
        verdict.examples.extend(failures or run.shortest)
    del verdict.examples[EXAMPLES:]
    return verdict


def latest_verdicts(
    archive: Archive, sites: Iterable[str] | None = None, rule: HealthRule = HealthRule()
) -> dict[str, Verdict]:
    """Return the verdict on the newest recorded run of each site (or of ``sites``)."""
    return {site: judge(records, rule)[-1] for site, records in history(archive, sites).items()}


def run_verdicts(archive: Archive, run_ids: Iterable[int], rule: HealthRule = HealthRule()) -> dict[int, list[Verdict]]:
    """Return, for each of ``run_ids`` with records, the verdicts on its sites."""
    wanted = set(run_ids)
    with archive.engine.connect() as conn:
        sites = list(conn.scalars(sa.select(site_health.c.site).distinct().where(site_health.c.run_id.in_(wanted))))
    found: dict[int, list[Verdict]] = {}
    for records in history(archive, sites).values():
        for verdict in judge(records, rule):
            if verdict.health.run_id in wanted:
                found.setdefault(verdict.health.run_id, []).append(verdict)
    return found


def run_health(archive: Archive, run_ids: Iterable[int], rule: HealthRule = HealthRule()) -> dict[int, str]:
    """Return a word for each run with health records: ``DRIFT`` when a site of it is flagged, else ``ok``."""
    return {
        run_id: "DRIFT" if any(v.flagged for v in verdicts) else "ok"
        for run_id, verdicts in run_verdicts(archive, run_ids, rule).items()
    }
