"""``newsarchive enqueue``: put site crawls on the job queue, one job per site, for the workers."""

from __future__ import annotations

import click

from crawler.cli.common import (
    Failure,
    console,
    job_options,
    queue_option,
    redis_option,
    scale_out,
    settings_option,
    sites_file_options,
)


@click.command()
@sites_file_options("The sites.toml; each site's table travels in its job.", "Enqueue")
@redis_option(required=True)
@queue_option
@settings_option
@job_options
def enqueue(
    sites_file: str,
    only: tuple[str, ...],
    redis_url: str,
    queue_name: str,
    overrides: tuple[str, ...],
    loglevel: str,
    job_timeout: str,
    retries: int,
) -> None:
    """Put a crawl of each site of --sites on the queue; a site already queued or being crawled is left as it is."""
    from rich.table import Table

    from crawler.sites import site_sections

    jobs = scale_out("queue")
    try:
        options = jobs.job_options(job_timeout, retries, overrides, loglevel)
        sections = site_sections(sites_file, only)
        queue = jobs.open_queue(redis_url, queue_name)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    table = Table("site", "job", title=f"queue {queue_name}")
    for site, config in sections.items():
        table.add_row(site, jobs.enqueue_site(queue, site, config, options))
    console.print(table)
