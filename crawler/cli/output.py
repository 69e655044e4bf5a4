"""Where a command writes its data: stdout, or a file that is replaced only once it is whole."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from crawler.cli.common import Failure


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def output_file(path: str, binary: bool = False) -> Iterator[IO[Any]]:
    """Yield the open output ``path`` (``-``: stdout); a failure to write it stops with one line naming it.

    A regular file is written to a temporary file beside it and renamed over it at the end,
    so a failed export creates nothing and truncates nothing; a device or a FIFO is written directly.
    """
    if path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    mode, encoding, newline = ("wb", None, None) if binary else ("w", "utf-8", "")
    target = Path(path)
    try:
        direct = target.exists() and not stat.S_ISREG(target.stat().st_mode)
        if direct:
            out = open(target, mode, encoding=encoding, newline=newline)  # noqa: SIM115 - closed below, its error reported
        else:
            fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            out = os.fdopen(fd, mode, encoding=encoding, newline=newline)
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        try:
            yield out
        finally:
            out.close()
        if not direct:
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, target)
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if not direct and os.path.exists(temporary):
            os.unlink(temporary)
