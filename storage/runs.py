"""Crawl run records: one row per ``newsarchive crawl`` run, written when it starts and when it ends."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.db import as_utc, inserted_id, now
from storage.schema import runs


@dataclass(frozen=True)
class RunCounts:
    """What a run did so far."""

    pages: int = 0
    new_stories: int = 0
    duplicates: int = 0
    new_versions: int = 0
    errors: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    #: what the run left out and why: not_html, maxsize, redirect_loop…
    skipped_by_kind: dict[str, int] = field(default_factory=dict)


def start_run(archive: Archive, site: str) -> int:
    """Record a run of ``site`` (one or more sites) starting now; return its id."""
    with archive.engine.begin() as conn:
        return inserted_id(conn.execute(runs.insert().values(site=site, started=now())))


def save_run(archive: Archive, run_id: int, counts: RunCounts, finish_reason: str | None = None) -> None:
    """Store the run's counts; with ``finish_reason`` also mark it finished now."""
    values: dict[str, Any] = asdict(counts) | {
        name: json.dumps(getattr(counts, name), sort_keys=True) for name in ("errors_by_kind", "skipped_by_kind")
    }
    if finish_reason is not None:
        values |= {"finished": now(), "finish_reason": finish_reason}
    with archive.engine.begin() as conn:
        conn.execute(runs.update().where(runs.c.id == run_id).values(**values))


def list_runs(archive: Archive, limit: int | None = None) -> list[dict[str, Any]]:
    """Return the newest runs first; ``finished`` and ``finish_reason`` are None for a run that never ended."""
    return _read(archive, sa.select(runs).order_by(runs.c.id.desc()).limit(limit))


def latest_runs(archive: Archive, sites: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Return the newest run recorded under each of ``sites`` that has one, by site (as :func:`list_runs` gives runs)."""
    newest = sa.select(sa.func.max(runs.c.id)).where(runs.c.site.in_(list(sites))).group_by(runs.c.site)
    return {run["site"]: run for run in _read(archive, sa.select(runs).where(runs.c.id.in_(newest)))}


def _read(archive: Archive, query: sa.Select[Any]) -> list[dict[str, Any]]:
    with archive.engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["errors_by_kind"] = json.loads(row["errors_by_kind"])
        row["skipped_by_kind"] = json.loads(row["skipped_by_kind"])
        for key in ("started", "finished"):
            if row[key] is not None:
                row[key] = as_utc(row[key])
    return rows
