"""Retries of the Forms API client: ``urllib3.Retry`` on the session's ``HTTPAdapter``.

429, 500, 502, 503 and 504 answers, connection errors and timeouts are retried with capped,
jittered exponential backoff; a ``Retry-After`` header is honoured. The retry itself is
:class:`impact_warehouse.http_retry.LoggedRetry`; this module names it for the Forms API.
"""

from __future__ import annotations

import logging
from typing import Any

from impact_warehouse.http_retry import RETRYABLE_STATUSES, LoggedRetry, parse_retry_after

__all__ = ["RETRYABLE_STATUSES", "FormsRetry", "parse_retry_after"]

# The client's logger: retry lines belong to the Forms API's log.
logger = logging.getLogger("impact_warehouse.sources.google_forms")


class FormsRetry(LoggedRetry):
    """:class:`LoggedRetry` logging as the Forms API, with the request's path."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("service", "Forms API")
        kwargs.setdefault("logger", logger)
        super().__init__(*args, **kwargs)
