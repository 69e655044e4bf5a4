"""``newsarchive status``: the crawl job queue: jobs queued, running, failed, and each worker's heartbeat."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from crawler.cli.common import Failure, queue_option, redis_option, scale_out


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return ""
    seconds = max(round((now - when).total_seconds()), 0)
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m ago" if hours else f"{minutes}m{rest:02d}s ago" if minutes else f"{rest}s ago"


@click.command()
@redis_option(required=True)
@queue_option
def status(redis_url: str, queue_name: str) -> None:
    """Show the crawl jobs of the --queue (queued, running: on which worker, since when, pages so far;
    failed, with the reason) and its workers with their last heartbeat. Times are ages, from now.
    """
    from rich.console import Console
    from rich.table import Table

    seen = scale_out("status")
    try:
        queue = scale_out("queue").open_queue(redis_url, queue_name)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    now = datetime.now(UTC)
    lines = seen.job_lines(queue)
    jobs = Table("site", "state", "worker", "since", "pages", "reason", title=f"queue {queue_name}: {len(lines)} jobs")
    for line in lines:
        pages = "" if line.pages is None else str(line.pages)
        jobs.add_row(line.site, line.state, line.worker, _ago(line.since, now), pages, line.reason)
    workers = seen.worker_lines(queue)
    beats = Table("worker", "host", "state", "site", "heartbeat", title=f"{len(workers)} workers")
    for worker in workers:
        beats.add_row(worker.name, worker.host, worker.state, worker.site, _ago(worker.heartbeat, now))
    out = Console()
    out.print(jobs)
    out.print(beats)
