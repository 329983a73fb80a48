"""Retries of HTTP requests: ``urllib3.Retry`` on a ``requests`` session's ``HTTPAdapter``.

Used by the Forms API client (:mod:`impact_warehouse.sources.forms_retry`) and the plain
webhook (:mod:`impact_warehouse.notify.channels`). What this adds to urllib3: a tolerant
``Retry-After`` parser, an injectable sleep (tests wait for real but record the waits) and one
warning line per retry naming the request, the failure and the wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), if usable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class LoggedRetry(Retry):
    """``urllib3.Retry`` that waits through an injectable ``sleep`` and says why it retries.

    ``service`` names the requests in the log (``"Forms API"``); ``log_url`` adds the request's
    path, which a webhook must not log (its path is its token). ``Retry-After`` is read by
    :func:`parse_retry_after` (it also takes fractional seconds and gives None for a value it
    cannot read, so the backoff applies instead of an error) and honoured on every retried
    status: the server knows its own quota window, and waiting less would just earn another 429.
    """

    RETRY_AFTER_STATUS_CODES = RETRYABLE_STATUSES

    def __init__(
        self,
        *args: Any,
        service: str = "HTTP",
        logger: logging.Logger = log,
        log_url: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        retry_after_max: float = 300.0,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self._service = service
        self._logger = logger
        self._log_url = log_url
        self._sleep_for = sleep
        self._retry_after_max = retry_after_max

    def new(self, **kw: Any) -> LoggedRetry:
        retry = super().new(**kw)
        retry._service = self._service
        retry._logger = self._logger
        retry._log_url = self._log_url
        retry._sleep_for = self._sleep_for
        retry._retry_after_max = self._retry_after_max
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        return parse_retry_after(response.headers.get("Retry-After"))

    def sleep(self, response: Any = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
            # A server asking for hours (Retry-After: 86400) must not hold a worker slot for
            # days: the wait is capped like the backoff, and the task's own retry comes later.
            if wait is not None and wait > self._retry_after_max:
                self._logger.warning(
                    "%s asked to wait %.0f s (Retry-After); waiting %.0f s at most",
                    self._service,
                    wait,
                    self._retry_after_max,
                )
                wait = self._retry_after_max
        if wait is None:
            wait = self.get_backoff_time()
        last = self.history[-1] if self.history else None
        if last is not None and last.error is not None:
            # An error's text may hold the URL: only its type where the URL is not logged.
            failure = type(last.error).__name__
            if self._log_url:
                failure += f": {last.error}"
        else:
            failure = f"HTTP {last.status if last else '?'}"
        request = self._service
        if self._log_url:
            request += f" request {last.url if last else '?'}"
        attempts = len(self.history) + (self.total if isinstance(self.total, int) else 0) + 1
        self._logger.warning(
            "%s failed (%s), attempt %d/%d; retrying in %.2f s",
            request,
            failure,
            len(self.history),
            attempts,
            wait,
        )
        self._sleep_for(wait)
