"""Site crawls as jobs on an RQ queue in Redis, run by workers on any number of machines.

``enqueue`` puts one job per site. Its id is made of the queue and the site, so
a site already queued or being crawled is not queued again, and it carries the
site's ``[[site]]`` table itself, not a path: the workers share no disk. A
worker runs each job in RQ's work-horse, which runs the crawl as a child
process (``newsarchive crawl --sites … --only NAME``, as the scheduler does)
while it holds the site's lock in Redis, refreshed at every heartbeat: two
workers never crawl one site at once, not even when a job is retried while the
lock of a dead worker has not expired yet. Worker, work-horse and crawl die
together (``PR_SET_PDEATHSIG``), so a dead worker leaves no crawl behind; RQ's
registry cleanup finds its job once the job's heartbeat expires and retries
it, and the new crawl skips what the archive already holds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shlex
import socket
import subprocess
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from rq import Queue, Retry, Worker, get_current_job
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from crawler.schedule import Plan
from crawler.service.runner import CrawlCommand, PlanLoop, die_with_parent, folder_name, now_utc
from crawler.service.runner import logger as schedule_logger
from crawler.sites import duration

logger = logging.getLogger("newsarchive.worker")

#: The queue workers listen on and ``enqueue`` feeds unless told otherwise.
DEFAULT_QUEUE = "newsarchive"
#: Job states in which a site's crawl is waiting or going: enqueueing it again would crawl it twice.
ACTIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def job_id(queue: str, site: str) -> str:
    """Return the id of the crawl job of ``site``: one per site and queue, whoever enqueues it.

    RQ takes letters, digits, ``_`` and ``-`` only; a digest of the exact names keeps look-alike names apart.
    """
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{queue}-{site}").strip("-")[:80]
    digest = hashlib.sha1(f"{queue}\0{site}".encode()).hexdigest()[:10]
    return f"crawl-{readable}-{digest}"


def lock_name(queue: str, site: str) -> str:
    """Return the Redis key of the lock held by the crawl of ``site`` while it runs."""
    return f"newsarchive:{queue}:site:{site}"


@dataclass(frozen=True)
class Heartbeat:
    """How often a worker and its crawl say they are alive, and after how many missed beats they are given up."""

    interval: int = 10
    missed: int = 3

    def __post_init__(self) -> None:
        if self.interval < 1 or self.missed < 1:
            raise ValueError(
                f"the heartbeat interval and missed beats must be >= 1, got {self.interval}, {self.missed}"
            )

    @property
    def ttl(self) -> int:
        """Return the seconds after which a silent worker's job is abandoned and its site lock expires."""
        return self.interval * self.missed


@dataclass(frozen=True)
class JobOptions:
    """What every crawl job is enqueued with: RQ's defaults (3 minutes, no retry) do not fit crawls."""

    timeout: int = 6 * 3600
    retries: int = 3
    #: how long a failed job stays visible to ``newsarchive status``
    failure_ttl: int = 7 * 24 * 3600
    #: how long a finished one does
    result_ttl: int = 24 * 3600
    overrides: tuple[str, ...] = ()
    loglevel: str = "INFO"

    def __post_init__(self) -> None:
        if self.timeout < 1:
            raise ValueError(f"the job timeout must be >= 1 second, got {self.timeout}")
        if self.retries < 0:
            raise ValueError(f"the retries must be >= 0, got {self.retries}")


def enqueue_site(queue: Queue, site: str, config: str, options: JobOptions) -> str:
    """Put the crawl of ``site`` (its ``[[site]]`` TOML table) on ``queue`` unless it is queued or running.

    Return what happened: ``queued``, or the state of the job already there. A short Redis lock
    makes the check and the enqueue one step for concurrent enqueuers (schedulers on two machines).
    """
    ident = job_id(queue.name, site)
    with Lock(queue.connection, f"{lock_name(queue.name, site)}:enqueue", timeout=30, blocking_timeout=30):
        with suppress(NoSuchJobError):
            old = Job.fetch(ident, connection=queue.connection)
            if (status := old.get_status()) in ACTIVE:
                return "running" if status == JobStatus.STARTED else f"already {status.value}"
            old.delete()
        try:
            queue.enqueue_call(
                crawl_site,
                args=(site, config, options.overrides, options.loglevel),
                job_id=ident,
                unique=True,
                timeout=options.timeout,
                retry=Retry(max=options.retries) if options.retries else None,
                failure_ttl=options.failure_ttl,
                result_ttl=options.result_ttl,
                description=f"crawl {site}",
                meta={"site": site},
            )
        except DuplicateJobError:
            return "already queued"
    return "queued"


@dataclass(frozen=True)
class Machine:
    """What a worker gives each crawl it runs: the archive, local folders and ``-s`` settings of this machine."""

    db: str
    work_dir: Path
    #: the worker's name, in its WARC files' names
    name: str
    heartbeat: Heartbeat = field(default_factory=Heartbeat)
    overrides: tuple[str, ...] = ()
    host: str = field(default_factory=socket.gethostname)

    def command(self, sites_file: Path, options: tuple[str, ...], loglevel: str) -> CrawlCommand:
        """Return the crawl command for a job: WARC files of its own here, then the job's settings; this machine's win."""
        own = (f"NEWSARCHIVE_WARC_DIR={self.work_dir / 'warc'}", f"NEWSARCHIVE_WARC_PREFIX={self.warc_prefix}")
        return CrawlCommand(
            sites_file,
            self.db,
            self.work_dir / "logs",
            self.work_dir / "jobs",
            (*own, *options, *self.overrides),
            loglevel,
        )

    @property
    def warc_prefix(self) -> str:
        """Return the start of this worker's WARC file names: ``newsarchive-<name>``, in file name characters."""
        return f"newsarchive-{folder_name(self.name)}"


#: Set in each work-horse by :class:`CrawlWorker`, read by :func:`crawl_site`.
_machine: Machine | None = None


class CrawlFailed(RuntimeError):
    """The crawl process ended with an error, was killed, or lost its site lock; RQ retries the job."""


def crawl_site(site: str, config: str, overrides: tuple[str, ...], loglevel: str) -> dict[str, Any]:
    """The job: crawl ``site`` as described by ``config`` on this machine; return its pages and log file."""
    job = get_current_job()
    if _machine is None or job is None:
        raise RuntimeError("crawl jobs run in a newsarchive worker")
    return SiteCrawl(_machine, job, site).run(config, overrides, loglevel)


class SiteCrawl:
    """One job's crawl: take the site lock, run the crawl child, beat, report pages in the job's meta."""

    def __init__(self, machine: Machine, job: Job, site: str) -> None:
        self.machine = machine
        self.job = job
        self.site = site
        self.beat = machine.heartbeat
        self.lock = Lock(job.connection, lock_name(job.origin, site), timeout=self.beat.ttl, thread_local=False)
        self.pages = RunPages(machine.db, site)

    def run(self, config: str, overrides: tuple[str, ...], loglevel: str) -> dict[str, Any]:
        self._note(state="waiting for the site", host=self.machine.host, horse_pid=os.getpid())
        while not self.lock.acquire(blocking_timeout=self.beat.interval):
            logger.info("%s: crawled by another worker, waiting", self.site)
        try:
            return self._crawl(config, overrides, loglevel)
        finally:
            with suppress(LockError):
                self.lock.release()

    def _crawl(self, config: str, overrides: tuple[str, ...], loglevel: str) -> dict[str, Any]:
        folder = self.machine.work_dir / "sites"
        folder.mkdir(parents=True, exist_ok=True)
        sites_file = folder / f"{folder_name(self.site)}.toml"
        sites_file.write_text(config, "utf-8")
        command = self.machine.command(sites_file, overrides, loglevel)
        argv = command.argv(self.site)
        parent = os.getpid()
        with command.open_log(self.site, now_utc()) as log:
            log.write(f"# {shlex.join(argv)}\n".encode())
            log.flush()
            # in the work-horse's process group, which RQ kills on a job timeout; dies with the horse otherwise
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: die_with_parent(parent),
            )
        self._note(state="crawling", crawl_pid=process.pid, since=now_utc().isoformat(), log=log.name, pages=0)
        logger.info("%s: crawl started (pid %d, log %s)", self.site, process.pid, log.name)
        try:
            status = self._watch(process)
            pages = self.pages.count()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            self.pages.close()
        self._note(state="ended", pages=pages, ended=now_utc().isoformat())
        if status != 0:
            raise CrawlFailed(
                f"{self.site}: the crawl ended with exit status {status}, see {log.name} on {self.machine.host}"
            )
        return {"site": self.site, "pages": pages, "log": log.name, "host": self.machine.host}

    def _watch(self, process: subprocess.Popen[bytes]) -> int:
        """Wait for the crawl, refreshing the site lock and the pages count at every beat."""
        while True:
            try:
                return process.wait(timeout=self.beat.interval)
            except subprocess.TimeoutExpired:
                pass
            try:
                self.lock.reacquire()
            except LockError:
                raise CrawlFailed(f"{self.site}: lost the site lock (no heartbeat for {self.beat.ttl}s)") from None
            self._note(pages=self.pages.count())

    def _note(self, **values: Any) -> None:
        self.job.meta.update(values)
        self.job.save_meta()  # type: ignore[no-untyped-call]  # rq leaves it untyped


class RunPages:
    """The pages of the site's run that began after this was made, as the archive records them while it goes."""

    def __init__(self, db: str, site: str) -> None:
        self.db = db
        self.site = site
        self.archive: Any = None
        self.before, _ = self._newest()

    def _newest(self) -> tuple[int, int]:
        """Return the id and pages of the site's newest run; (0, 0) if none, or no archive yet."""
        from storage import Archive, ArchiveError
        from storage.runs import latest_runs

        try:
            if self.archive is None:
                self.archive = Archive(self.db, create=False)
            run = latest_runs(self.archive, [self.site]).get(self.site)
        except ArchiveError:
            return 0, 0  # the crawl creates it
        return (run["id"], run["pages"]) if run else (0, 0)

    def count(self) -> int:
        """Return the pages the crawl fetched so far (0 until its run is recorded)."""
        run_id, pages = self._newest()
        return pages if run_id > self.before else 0

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None


class CrawlWorker(Worker):
    """An RQ worker for crawls: heartbeats as configured, and a work-horse that dies with it."""

    def __init__(self, queues: list[Queue], machine: Machine, cleanup_interval: int, **kwargs: Any) -> None:
        beat = machine.heartbeat
        super().__init__(
            queues,
            job_monitoring_interval=beat.interval,
            worker_ttl=15 + beat.ttl,  # RQ blocks on the queue for worker_ttl - 15 s, then cleans its registries
            maintenance_interval=cleanup_interval,
            **kwargs,
        )
        self.machine = machine
        self.parent = os.getpid()

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """Return when a running job is abandoned without a beat: after the missed beats, not RQ's fixed minute."""
        beat = self.machine.heartbeat
        if job.timeout and job.timeout > 0:
            return int(min(job.timeout - working_time, beat.interval)) + beat.ttl
        return beat.interval + beat.ttl

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        global _machine
        die_with_parent(self.parent)
        _machine = self.machine
        super().main_work_horse(job, queue)


class QueueFeeder(PlanLoop):
    """The scheduler with a queue: each due site is enqueued (once, if its last job still runs) instead of crawled here."""

    def __init__(self, plan: Plan, enqueue: Callable[[str], str], clock: Callable[[], datetime] = now_utc) -> None:
        super().__init__(plan, clock)
        self.enqueue = enqueue

    def _start(self, site: str) -> None:
        try:
            outcome = self.enqueue(site)
        except RedisError as exc:
            schedule_logger.error("%s: cannot enqueue the crawl: %s", site, exc)
            self.failed.append(site)
            outcome = ""
        else:
            schedule_logger.info("%s: %s", site, outcome)
        self.plan.finished(site)
        if (due := self.plan.due_at(site)) is not None:
            schedule_logger.info(
                "%s: next at %s", site, max(due, self.clock()).astimezone().isoformat(timespec="seconds")
            )


def job_options(timeout: str, retries: int, overrides: tuple[str, ...] = (), loglevel: str = "INFO") -> JobOptions:
    """Return the options of crawl jobs from the command line's; raise ValueError naming a bad one."""
    length = duration(timeout)
    if length is None:
        raise ValueError(f"--job-timeout: not a duration such as '30m', '6h' or '1d': {timeout!r}")
    return JobOptions(int(length.total_seconds()), retries, overrides=overrides, loglevel=loglevel)


def open_queue(url: str, name: str) -> Queue:
    """Return the job queue ``name`` in the Redis at ``url``; raise ValueError when Redis does not answer."""
    return Queue(name, connection=connect(url))


def connect(url: str) -> Redis:
    """Return a client of the Redis at ``url``; raise ValueError naming it when it does not answer."""
    try:
        redis = Redis.from_url(url)
        redis.ping()
    except (RedisError, ValueError) as exc:
        raise ValueError(f"Redis at {url}: {exc}") from None
    return redis
