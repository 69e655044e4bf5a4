"""``newsarchive worker``: crawl the sites put on the job queue, one crawl process per job, until stopped."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import click

from crawler.cli.common import Failure, db_option, log_to_stderr, queue_option, redis_option, scale_out, settings_option


@click.command()
@redis_option(required=True)
@db_option
@queue_option
@settings_option
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False),
    default="newsarchive-worker",
    show_default=True,
    help="This machine's folder of the crawls' logs, JOBDIRs and site tables.",
)
@click.option("--name", default=None, help="The worker's name in `newsarchive status` (default: HOST.PID).")
@click.option(
    "--heartbeat",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Seconds between the worker's heartbeats; after 3 missed ones its crawl is retried elsewhere.",
)
@click.option(
    "--cleanup-interval",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Seconds between looks for the jobs of dead workers (while idle).",
)
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
def worker(
    redis_url: str,
    db: str,
    queue_name: str,
    overrides: tuple[str, ...],
    work_dir: str,
    name: str | None,
    heartbeat: int,
    cleanup_interval: int,
    burst: bool,
) -> None:
    """Crawl the sites put on the --queue in --redis into the archive --db, each job its own crawl process.

    Start any number, on any machines. SIGTERM ends the worker after its crawl, a second SIGTERM at once.
    """
    queue = scale_out("queue")
    log_to_stderr("newsarchive.worker")
    try:
        redis = queue.connect(redis_url)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    name = name or f"{socket.gethostname()}.{os.getpid()}"
    machine = queue.Machine(db, Path(work_dir).resolve(), name, queue.Heartbeat(heartbeat), overrides)
    crawls = queue.CrawlWorker(
        [queue.Queue(queue_name, connection=redis)],
        machine,
        cleanup_interval,
        name=name,
        connection=redis,
    )
    crawls.work(burst=burst, logging_level="INFO")
