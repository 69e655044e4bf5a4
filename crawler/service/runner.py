"""Run the crawls a :class:`crawler.schedule.Plan` asks for, each in its own process, and stop them cleanly.

Twisted's reactor cannot be restarted, so every crawl is a ``newsarchive crawl
--sites FILE --only NAME`` child process, recorded in the archive's runs under
the site's name, with its own JOBDIR (a crawl stopped gracefully resumes its
queue next time) and its output in a log file of its own. The loop sleeps in
``select`` on a signal wakeup pipe: a child that ends (SIGCHLD), a stop request
(SIGTERM, SIGINT) or the next due time wakes it. On a stop request no crawl is
started any more, each running crawl gets one SIGTERM (Scrapy's graceful
shutdown: the run ends as ``shutdown``, its JOBDIR queue is kept), and those
still running after the stop timeout, or at a second stop request, are killed.
A scheduler that dies without stopping them (SIGKILL, a crash) takes its crawls
with it (Linux: PR_SET_PDEATHSIG), so that a restarted one can take over at once.
"""

from __future__ import annotations

import ctypes
import fcntl
import functools
import hashlib
import logging
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from crawler.schedule import Plan

logger = logging.getLogger("newsarchive.schedule")

#: The longest the loop sleeps without looking at the clock (a suspended machine, a clock set forward).
_MAX_SLEEP = 60.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
#: prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


#: Longest folder name, in UTF-8 bytes: file systems take 255 (NAME_MAX), room is left for Scrapy's own names.
FOLDER_NAME_MAX = 100


def folder_name(site: str) -> str:
    """Return the name of a site's folder under the log and job folders (``Daily Ledger`` -> ``Daily-Ledger``).

    One path component whatever the name (no ``/``, ``..`` or NUL); a name too long for one is cut
    and ends with a hash of the whole name, so two long names stay two folders.
    """
    name = re.sub(r"[^\w.-]+", "-", site).strip("-.") or "site"
    if len(name.encode()) <= FOLDER_NAME_MAX:
        return name
    digest = hashlib.sha256(site.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    cut = name.encode()[: FOLDER_NAME_MAX - len(digest) - 1].decode("utf-8", "ignore")
    return f"{cut}-{digest}"


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux); exit now if the parent is already gone.

    Run in a child (a crawl, a work-horse): a crawl that outlived its scheduler or worker would go on
    unwatched, holding the job folder's lock or the site's, and the restarted one could not start.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


@dataclass(frozen=True)
class CrawlCommand:
    """How to crawl one site of the sites file in a child process, and where its log and JOBDIR go."""

    sites_file: Path
    db: str
    log_dir: Path
    job_dir: Path
    overrides: tuple[str, ...] = ()
    loglevel: str = "INFO"

    def argv(self, site: str) -> list[str]:
        """Return the command line of a crawl of ``site``; ``-s`` overrides come last and win."""
        settings = (f"NEWSARCHIVE_SITE={site}", f"JOBDIR={self.job_dir / folder_name(site)}", *self.overrides)
        return [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--sites",
            str(self.sites_file),
            "--only",
            site,
            "--db",
            self.db,
            "-L",
            self.loglevel,
            *(arg for setting in settings for arg in ("-s", setting)),
        ]

    def open_log(self, site: str, when: datetime) -> IO[bytes]:
        """Create and return the log file of a run of ``site`` starting ``when``: ``<log_dir>/<site>/<UTC time>.log``."""
        folder = self.log_dir / folder_name(site)
        folder.mkdir(parents=True, exist_ok=True)
        stem = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        for serial in range(1, 1000):
            try:
                return open(folder / f"{stem}{'' if serial == 1 else f'-{serial}'}.log", "xb")
            except FileExistsError:
                continue
        raise FileExistsError(f"no free log file name for {folder / stem}.log")


@dataclass
class _Crawl:
    process: subprocess.Popen[bytes]
    log: Path
    began: float


def now_utc() -> datetime:
    return datetime.now(UTC)


class PlanLoop:
    """The scheduler's loop: start what the plan says is due, reap what ended, stop on a signal.

    :class:`CrawlRunner` starts crawls here; :class:`crawler.service.queue.QueueFeeder` puts them on a job queue.
    """

    def __init__(self, plan: Plan, clock: Callable[[], datetime] = now_utc) -> None:
        self.plan = plan
        self.clock = clock
        self.failed: list[str] = []
        self.stops = 0

    def run(self) -> int:
        """Run until stopped by a signal (or, with a ``once`` plan, until it is done); return the exit status."""
        with self._lock(), self._signals() as wakeup:
            while not self.stops and not self.plan.done:
                self._reap()
                for site in self.plan.take_due(self.clock()):
                    self._start(site)
                if not self.plan.done:  # a feeder's ``once`` plan is done as soon as it has enqueued
                    self._sleep(wakeup, self._until_wakeup())
                self._reap()
            self._stop(wakeup)
        return 1 if self.plan.once and self.failed else 0

    def _until_wakeup(self) -> float:
        due = self.plan.wakeup()
        if due is None:
            return _MAX_SLEEP
        return min(max((due - self.clock()).total_seconds(), 0.0), _MAX_SLEEP)

    def _start(self, site: str) -> None:
        raise NotImplementedError

    def _reap(self) -> None:
        """Hand the crawls that ended back to the plan."""

    def _stop(self, wakeup: selectors.BaseSelector) -> None:
        """End what is still running once the loop stops."""

    @contextmanager
    def _lock(self) -> Iterator[None]:
        yield

    def _sleep(self, wakeup: selectors.BaseSelector, seconds: float) -> None:
        for key, _ in wakeup.select(max(seconds, 0.0)):
            os.read(key.fd, 4096)  # the signal numbers; their handlers already ran

    def _on_stop_signal(self, signum: int, _frame: object) -> None:
        self.stops += 1
        then = "stopping" if self.stops == 1 else "received again: killing the crawls"
        logger.info("%s: %s", signal.Signals(signum).name, then)

    @contextmanager
    def _signals(self) -> Iterator[selectors.BaseSelector]:
        """Install the stop handlers and a wakeup pipe that SIGCHLD and the stop signals write to."""
        read, write = os.pipe()
        os.set_blocking(read, False)
        os.set_blocking(write, False)
        previous = {sig: signal.signal(sig, self._on_stop_signal) for sig in _STOP_SIGNALS}
        previous[signal.SIGCHLD] = signal.signal(signal.SIGCHLD, lambda *_: None)
        old_fd = signal.set_wakeup_fd(write)
        selector = selectors.DefaultSelector()
        selector.register(read, selectors.EVENT_READ)
        try:
            yield selector
        finally:
            signal.set_wakeup_fd(old_fd)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            selector.close()
            os.close(read)
            os.close(write)


class CrawlRunner(PlanLoop):
    """Start each due crawl as a child process on this machine, reap those that end, stop them all on a signal."""

    def __init__(
        self, plan: Plan, command: CrawlCommand, stop_timeout: float, clock: Callable[[], datetime] = now_utc
    ) -> None:
        super().__init__(plan, clock)
        self.command = command
        self.stop_timeout = stop_timeout
        self.crawls: dict[str, _Crawl] = {}
        self.lock_fd: int | None = None

    def _start(self, site: str) -> None:
        argv = self.command.argv(site)
        with self.command.open_log(site, self.clock()) as log:
            log.write(f"# {shlex.join(argv)}\n".encode())
            log.flush()
            try:
                process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # a Ctrl-C at the terminal reaches the scheduler only
                    preexec_fn=functools.partial(die_with_parent, os.getpid()),  # the scheduler runs no threads
                    pass_fds=()
                    if self.lock_fd is None
                    else (self.lock_fd,),  # a crawl outliving a killed scheduler (not on Linux) keeps the lock
                )
            except OSError as exc:
                logger.error("%s: cannot start the crawl: %s", site, exc)
                self.failed.append(site)
                self.plan.finished(site)
                return
        self.crawls[site] = _Crawl(process, Path(log.name), time.monotonic())
        logger.info("%s: crawl started (pid %d, log %s)", site, process.pid, log.name)

    def _reap(self) -> None:
        for site, crawl in list(self.crawls.items()):
            status = crawl.process.poll()
            if status is None:
                continue
            del self.crawls[site]
            took = time.monotonic() - crawl.began
            if status == 0:
                logger.info("%s: crawl finished in %.0fs", site, took)
            elif self.stops:
                logger.info("%s: crawl stopped after %.0fs (exit status %d)", site, took, status)
            else:
                self.failed.append(site)
                logger.error("%s: crawl failed after %.0fs with exit status %d, see %s", site, took, status, crawl.log)
            self.plan.finished(site)
            if not self.stops and (due := self.plan.due_at(site)) is not None:
                when = max(due, self.clock()).astimezone()
                logger.info("%s: next crawl at %s", site, when.isoformat(timespec="seconds"))

    def _stop(self, wakeup: selectors.BaseSelector) -> None:
        """Ask every running crawl to stop (one SIGTERM), wait up to the stop timeout, then kill what is left."""
        if not self.crawls:
            return
        logger.info("stopping: %d crawl(s) asked to stop, waiting up to %.0fs", len(self.crawls), self.stop_timeout)
        for crawl in self.crawls.values():
            crawl.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        stops = self.stops
        while self.crawls and time.monotonic() < deadline and self.stops == stops:
            self._sleep(wakeup, deadline - time.monotonic())
            self._reap()
        for site, crawl in self.crawls.items():
            logger.warning("%s: crawl still running, killed (its JOBDIR will be discarded next time)", site)
            with suppress(ProcessLookupError):
                os.killpg(crawl.process.pid, signal.SIGKILL)  # its extraction workers too
            crawl.process.wait()
        self._reap()

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """Hold the job folder's lock: two schedulers sharing JOBDIRs would crawl one site twice at once.

        The crawls inherit it, so crawls left running by a scheduler that was killed hold it too.
        """
        self.command.job_dir.mkdir(parents=True, exist_ok=True)
        with open(self.command.job_dir / "scheduler.lock", "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SchedulerBusy(
                    f"another newsarchive schedule, or crawls it started, are using {self.command.job_dir}"
                ) from None
            self.lock_fd = lock.fileno()
            yield


class SchedulerBusy(RuntimeError):
    """Another scheduler holds the job folder."""
