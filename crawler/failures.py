"""Name why a request got no usable response, as a user reads it: connection refused, DNS, timeout, 5xx.

These are expected conditions of the web: a crawl reports them in one line, never with a traceback.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares import httpcompression
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure

#: Network failures a crawl meets on the web, by (stats key, what a user reads).
NETWORK_FAILURES: tuple[tuple[tuple[type[BaseException], ...], str, str], ...] = (
    (
        (DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError),
        "connection_refused",
        "connection refused",
    ),
    ((CannotResolveHostError, twisted_errors.DNSLookupError), "dns", "DNS lookup failed"),
    ((DownloadTimeoutError, twisted_errors.TimeoutError), "timeout", "timed out"),
    ((ResponseDataLossError, DownloadFailedError, twisted_errors.ConnectionLost), "connection_lost", "connection lost"),
)
EXPECTED = tuple(cls for classes, _, _ in NETWORK_FAILURES for cls in classes)


#: What Scrapy's HttpCompressionMiddleware raises an IgnoreRequest from when a body inflates past DOWNLOAD_MAXSIZE.
_INFLATED_TOO_LARGE: type[BaseException] | tuple[()] = getattr(httpcompression, "_DecompressionMaxSizeExceeded", ())


def skip_reason(failure: Failure, max_redirects: int) -> str | None:
    """Return why a request was left out on purpose (a stats key), or None if it failed.

    ``maxsize``: its body is, or inflates to, more than DOWNLOAD_MAXSIZE (Scrapy
    cancels the download); ``too_many_redirects``: it was redirected
    ``max_redirects`` times already (a loop, most often); ``ignored``: robots.txt
    forbids it, or a middleware dropped it.
    """
    error = failure.value
    if isinstance(error, DownloadCancelledError) or isinstance(getattr(error, "__cause__", None), _INFLATED_TOO_LARGE):
        return "maxsize"
    if isinstance(error, HttpError) or not isinstance(error, IgnoreRequest):
        return None
    request: Request | None = getattr(failure, "request", None)
    if request is not None and request.meta.get("redirect_times", 0) >= max_redirects:
        return "too_many_redirects"
    return "ignored"


def failure_cause(failure: Failure) -> tuple[str, str]:
    """Return (stats key, cause) of a failed request: ``("http_503", "server error 503")``, ``("dns", …)``."""
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        return f"http_{status}", (f"server error {status}" if status >= 500 else f"HTTP {status}")
    for classes, key, cause in NETWORK_FAILURES:
        if isinstance(error, classes):
            return key, cause
    name = type(error).__name__
    return name, f"{name}: {failure.getErrorMessage()}"


class ExpectedNetworkErrors(logging.Filter):
    """Keep Scrapy's own tracebacks of expected network failures (e.g. fetching robots.txt) out of the log.

    The spider reports each failing site in one line instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, EXPECTED)
