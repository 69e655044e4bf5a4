"""``newsarchive schedule``: crawl each site of a sites file on its own schedule, until stopped."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.cli.common import (
    Failure,
    db_option,
    job_options,
    log_to_stderr,
    queue_option,
    redis_option,
    scale_out,
    settings_option,
    sites_file_options,
)

if TYPE_CHECKING:
    from crawler.schedule import LastRun, Plan
    from crawler.sites import SiteConfig
    from storage import Archive


def last_runs(archive: Archive, sites: list[SiteConfig]) -> dict[str, LastRun]:
    """Return each site's newest run: recorded under its name (scheduled crawls) or its host:port (``crawl --only``)."""
    from crawler.schedule import LastRun
    from storage.runs import latest_runs

    keys = {site.name: (site.name, ", ".join(sorted(site.sites))) for site in sites}
    runs = latest_runs(archive, [key for pair in keys.values() for key in pair])
    history = {}
    for name, pair in keys.items():
        if found := [runs[key] for key in pair if key in runs]:
            newest = max(found, key=lambda run: run["id"])
            history[name] = LastRun(newest["started"], newest["finish_reason"])
    return history


def _beside_archive(db: str, suffix: str) -> Path:
    """Return the folder named like the SQLite archive with ``suffix`` (``archive.db`` -> ``archive.logs``).

    A database that is not a file gets ``./suffix``.
    """
    from storage import archive_file

    path = archive_file(db)
    return path.with_suffix(f".{suffix}") if path else Path(suffix)


def _scheduled(sites_file: str, only: tuple[str, ...]) -> list[SiteConfig]:
    from crawler.service.runner import folder_name, logger
    from crawler.sites import load_sites

    sites = load_sites(sites_file, only)
    scheduled = [site for site in sites if site.schedule]
    if not scheduled:
        raise Failure(f'{sites_file}: no site has a schedule (schedule = "30m" or a cron expression)')
    folders: dict[str, str] = {}
    for site in scheduled:
        if (other := folders.setdefault(folder_name(site.name), site.name)) != site.name:
            raise Failure(
                f"sites {other!r} and {site.name!r} would share the folder {folder_name(site.name)!r}: rename one"
            )
    for site in sites:
        if not site.schedule:
            logger.info("%s: no schedule, not crawled by the scheduler", site.name)
    return scheduled


def _feed(
    redis_url: str,
    queue_name: str,
    sites_file: str,
    plan: Plan,
    job_timeout: str,
    retries: int,
    overrides: tuple[str, ...],
    loglevel: str,
) -> int:
    """Put each site on the job queue when the plan says it is due; return the scheduler's exit status."""
    from crawler.sites import site_sections

    jobs = scale_out("queue")
    try:
        options = jobs.job_options(job_timeout, retries, overrides, loglevel)
        sections = site_sections(sites_file, list(plan.sites))
        queue = jobs.open_queue(redis_url, queue_name)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    feeder = jobs.QueueFeeder(plan, lambda site: jobs.enqueue_site(queue, site, sections[site], options))
    return int(feeder.run())


@click.command()
@sites_file_options("The sites.toml; each site with a `schedule` is crawled on it.", "Schedule")
@db_option
@settings_option
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="At most this many crawls at once, all sites together.",
)
@click.option(
    "--stop-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds running crawls get to stop gracefully on SIGTERM before they are killed.",
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of the crawls' logs, LOG_DIR/SITE/TIME.log (default: archive.db -> archive.logs).",
)
@click.option(
    "--job-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of the sites' JOBDIRs (default: archive.db -> archive.jobs).",
)
@click.option("--once", is_flag=True, help="Crawl the sites due now, each once, wait for them and exit (for cron).")
@redis_option(required=False)
@queue_option
@job_options
def schedule(
    sites_file: str,
    only: tuple[str, ...],
    db: str,
    overrides: tuple[str, ...],
    loglevel: str,
    max_concurrent: int,
    stop_timeout: float,
    log_dir: str | None,
    job_dir: str | None,
    once: bool,
    redis_url: str | None,
    queue_name: str,
    job_timeout: str,
    retries: int,
) -> None:
    """Crawl each site of --sites on its `schedule`, each crawl in its own process, until SIGTERM or Ctrl-C.

    A site overdue after downtime is crawled once, at start; one whose last crawl was stopped resumes it.
    With --redis, each due crawl is put on the job queue for the workers instead (--once: enqueue and exit).
    """
    from crawler.run import check, crawl_settings
    from crawler.schedule import Plan
    from crawler.service.runner import CrawlCommand, CrawlRunner, SchedulerBusy, now_utc
    from storage import Archive, ArchiveError

    log_to_stderr("newsarchive.schedule")
    try:
        check(crawl_settings(db, (*overrides, f"NEWSARCHIVE_SITES={sites_file}")), ())
        sites = _scheduled(sites_file, only)
        with Archive(db) as archive:
            history = last_runs(archive, sites)
    except (ValueError, ArchiveError) as exc:
        raise Failure(str(exc)) from exc
    schedules = {site.name: site.schedule for site in sites if site.schedule}
    if redis_url:
        plan = Plan(schedules, history, now_utc(), len(schedules), once)  # the workers are the cap
        sys.exit(_feed(redis_url, queue_name, sites_file, plan, job_timeout, retries, overrides, loglevel))
    plan = Plan(schedules, history, now_utc(), max_concurrent, once)
    command = CrawlCommand(
        Path(sites_file).resolve(),
        db,
        Path(log_dir) if log_dir else _beside_archive(db, "logs"),
        Path(job_dir) if job_dir else _beside_archive(db, "jobs"),
        overrides,
        loglevel,
    )
    try:
        sys.exit(CrawlRunner(plan, command, stop_timeout).run())
    except SchedulerBusy as exc:
        raise click.ClickException(str(exc)) from exc
