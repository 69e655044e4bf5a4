"""What the crawl job queue holds and does: its jobs by state, and its workers with their heartbeats. Read only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rq import Queue, Worker
from rq.job import Job
from rq.registry import BaseRegistry, FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry, StartedJobRegistry


@dataclass(frozen=True)
class JobLine:
    """One crawl job: its site, state, where and since when it runs, pages so far and why it failed."""

    site: str
    state: str
    worker: str = ""
    since: datetime | None = None
    pages: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class WorkerLine:
    """One worker of the queue: where it runs, what it does, and its last heartbeat."""

    name: str
    host: str
    state: str
    site: str
    heartbeat: datetime | None


def _utc(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when and when.tzinfo is None else when


def _reason(job: Job) -> str:
    """Return the last line of the job's failure: the exception RQ recorded, or its own note."""
    result = job.latest_result()
    text = result.exc_string if result else ""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "failed"


def _line(job: Job, state: str) -> JobLine:
    meta = job.meta
    site = meta.get("site", job.id)
    if state == "running":
        since = datetime.fromisoformat(meta["since"]) if "since" in meta else _utc(job.started_at)
        worker = f"{job.worker_name or '?'} ({meta.get('host', '?')})"
        return JobLine(site, meta.get("state", state), worker, since, meta.get("pages"))
    if state == "failed":
        return JobLine(site, state, job.worker_name or "", _utc(job.ended_at), meta.get("pages"), _reason(job))
    if state == "finished":
        return JobLine(site, state, job.worker_name or "", _utc(job.ended_at), meta.get("pages"))
    return JobLine(site, state, since=_utc(job.enqueued_at))


def _jobs(queue: Queue, registry: BaseRegistry) -> list[Job]:
    ids = registry.get_job_ids(cleanup=False)  # looking must not retry abandoned jobs: the workers do
    return [job for job in Job.fetch_many(ids, connection=queue.connection) if job]


def job_lines(queue: Queue) -> list[JobLine]:
    """Return the queue's jobs: running first, then queued, scheduled for a retry, failed and finished."""
    lines = [_line(job, "running") for job in _jobs(queue, StartedJobRegistry(queue=queue))]
    lines += [_line(job, "queued") for job in queue.get_jobs()]
    scheduled = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]  # rq leaves it untyped
    lines += [_line(job, "retry later") for job in _jobs(queue, scheduled)]
    lines += [_line(job, "failed") for job in _jobs(queue, FailedJobRegistry(queue=queue))]
    lines += [_line(job, "finished") for job in _jobs(queue, FinishedJobRegistry(queue=queue))]
    return lines


def worker_lines(queue: Queue) -> list[WorkerLine]:
    """Return the live workers of the queue (a dead one is gone once its heartbeat expires), by name."""
    lines = []
    for worker in sorted(Worker.all(queue=queue), key=lambda w: w.name):
        job = worker.get_current_job()
        site = job.meta.get("site", job.id) if job else ""
        lines.append(
            WorkerLine(worker.name, worker.hostname or "?", worker.get_state(), site, _utc(worker.last_heartbeat))
        )
    return lines
