"""What a user reads when a request gets no usable response: the cause, named."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error
from twisted.python.failure import Failure

from crawler.failures import ExpectedNetworkErrors, failure_cause


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (DownloadConnectionRefusedError("refused"), ("connection_refused", "connection refused")),
        (error.ConnectionRefusedError(), ("connection_refused", "connection refused")),
        (CannotResolveHostError("no.such.host"), ("dns", "DNS lookup failed")),
        (error.DNSLookupError("no.such.host"), ("dns", "DNS lookup failed")),
        (DownloadTimeoutError("took 30 s"), ("timeout", "timed out")),
        (
            HttpError(Response("http://a.example/", status=503), "Ignoring non-200 response"),
            ("http_503", "server error 503"),
        ),
        (HttpError(Response("http://a.example/", status=404), "Ignoring non-200 response"), ("http_404", "HTTP 404")),
    ],
)
def test_a_failure_is_named_by_its_cause(exception: Exception, expected: tuple[str, str]) -> None:
    assert failure_cause(Failure(exception)) == expected


def test_an_unexpected_failure_is_named_with_its_message() -> None:
    assert failure_cause(Failure(ValueError("bad header"))) == ("ValueError", "ValueError: bad header")


def test_scrapys_tracebacks_of_expected_network_failures_are_kept_out_of_the_log() -> None:
    def record(exc: BaseException) -> logging.LogRecord:
        return logging.LogRecord("scrapy", logging.ERROR, __file__, 1, "Error downloading", (), (type(exc), exc, None))

    keep = ExpectedNetworkErrors().filter
    assert not keep(record(DownloadConnectionRefusedError("refused")))
    assert keep(record(KeyError("a bug")))  # a real bug keeps its traceback
