"""Connector for the Google Forms API v1: form definitions and paged, filtered responses.

The same code talks to Google in production and to the local demo server
(:mod:`impact_warehouse.demo.forms_api_server`), so everything here is plain Forms API v1:
``GET /v1/forms/{formId}`` and ``GET /v1/forms/{formId}/responses`` with ``pageSize``,
``pageToken`` and ``filter``.

Reliability rules:

* 429, 500, 502, 503, 504, connection errors and timeouts are retried by ``urllib3.Retry`` on
  the session's ``HTTPAdapter``: exponential backoff (``backoff_base_seconds`` × 2^n, capped at
  ``backoff_max_seconds``, with jitter so parallel workers spread apart) and a ``Retry-After``
  header honoured (seconds or HTTP-date). A body cut off after its headers arrived is not
  retried here (requests reads it after urllib3 is done): it fails the pull with
  :class:`FormsApiError`, and the task's own Airflow retry runs it again.
* Any other 4xx fails at once with :class:`FormsApiError`, because repeating a request the server
  rejected as wrong cannot succeed.
* Pages are yielded one at a time, so a form with a million responses never sits in memory.
* Array elements that are not JSON objects are handed back as ``broken_records`` (JSON strings:
  the demo server's corrupted records) or ``unreadable_records`` (any other non-object, or a
  record too deep to parse) for the caller to quarantine instead of failing the whole pull. A
  page the JSON parser cannot take whole is split and parsed record by record
  (:mod:`impact_warehouse.sources.forms_page_json`).
* A page whose envelope is not as documented (``responses`` not a list, ``nextPageToken`` not a
  string, endless empty pages) fails the pull with :class:`FormsApiError` naming the page: its
  records are unknown, so nothing is landed from it and the watermark stays.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote

import msgspec
import requests
from requests.adapters import HTTPAdapter

from impact_warehouse.sources.forms_page_json import UnreadableRecord, decoded_body
from impact_warehouse.sources.forms_retry import RETRYABLE_STATUSES, FormsRetry
from impact_warehouse.sources.forms_retry import parse_retry_after as parse_retry_after
from impact_warehouse.sources.gc_pause import cyclic_gc_paused

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://forms.googleapis.com"
URL_ENV = "IMPACT_FORMS_API_URL"
TOKEN_ENV = "IMPACT_FORMS_API_TOKEN"
KEY_FILE_ENV = "IMPACT_FORMS_API_KEY_FILE"
AIRFLOW_CONNECTION_ID = "impact_forms_api"

# Google never serves empty pages that still point to a next page for long; a server that
# does so endlessly would keep the pull running for ever.
MAX_EMPTY_PAGES_IN_A_ROW = 100


@dataclass(frozen=True)
class FormsApiConfig:
    """Where the Forms API lives and how patiently to talk to it."""

    base_url: str
    # A static bearer token (the demo server, a proxy) or, for Google itself, a source of
    # fresh OAuth access tokens (sources.google_auth.ServiceAccountTokens). Kept out of repr
    # so configs can be logged without leaking the credential.
    token: str = field(default="", repr=False)
    token_source: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not self.token and self.token_source is None:
            raise FormsApiError(
                "The Forms API configuration has no credential: give a service-account key "
                f"({KEY_FILE_ENV}, or key_path in the Airflow connection "
                f"'{AIRFLOW_CONNECTION_ID}') or a bearer token ({TOKEN_ENV})."
            )

    def bearer_token(self) -> str:
        return self.token_source() if self.token_source is not None else self.token

    page_size: int = 5000
    max_retries: int = 6
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    # The longest Retry-After honoured: a server asking for a day must not hold a worker.
    retry_after_max_seconds: float = 300.0


class FormsApiError(RuntimeError):
    """A Forms API call that failed for good; carries what is needed to find the cause."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        form_id: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.form_id = form_id
        self.url = url


@dataclass
class ResponsePage:
    """One page of ``forms.responses.list``, split into usable and corrupted records."""

    form_id: str
    page_number: int
    responses: list[dict[str, Any]]
    broken_records: list[str]
    next_page_token: str | None
    # Elements that are JSON but not usable records (a list, a number, nested too deep).
    unreadable_records: list[UnreadableRecord] = field(default_factory=list)


def forms_api_config_from_env(environ: Mapping[str, str] | None = None) -> FormsApiConfig:
    """Config from ``IMPACT_FORMS_API_URL`` (optional) and either ``IMPACT_FORMS_API_KEY_FILE``
    (a Google service-account key) or ``IMPACT_FORMS_API_TOKEN`` (a static bearer token)."""
    env = os.environ if environ is None else environ
    base_url = (env.get(URL_ENV, "").strip() or DEFAULT_BASE_URL).rstrip("/")
    key_file = env.get(KEY_FILE_ENV, "").strip()
    if key_file:
        from impact_warehouse.sources.google_auth import ServiceAccountTokens

        return FormsApiConfig(
            base_url=base_url, token_source=ServiceAccountTokens.from_file(key_file)
        )
    token = env.get(TOKEN_ENV, "").strip()
    if not token:
        raise FormsApiError(
            f"Neither {KEY_FILE_ENV} (a service-account key file) nor {TOKEN_ENV} (a bearer "
            f"token) is set, and the Airflow connection '{AIRFLOW_CONNECTION_ID}' is not "
            "configured: the Forms API cannot be reached without a credential."
        )
    return FormsApiConfig(base_url=base_url, token=token)


def _error_detail(response: requests.Response) -> str:
    """Google's ``error.message`` when the body has one, else the start of the body."""
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
    return str(message)


class FormsApiClient:
    """Reads forms and their responses. One instance reuses one HTTP session."""

    def __init__(
        self,
        config: FormsApiConfig,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        retry = FormsRetry(
            total=config.max_retries,
            status_forcelist=RETRYABLE_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=config.backoff_base_seconds,
            backoff_max=config.backoff_max_seconds,
            # Jitter spreads parallel workers apart instead of retrying in lockstep.
            backoff_jitter=config.backoff_base_seconds,
            # The last 429/5xx answer comes back as a response, so its status is reported.
            raise_on_status=False,
            sleep=sleep,
            retry_after_max=config.retry_after_max_seconds,
        )
        self._session.mount(config.base_url.rstrip("/") + "/", HTTPAdapter(max_retries=retry))

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> FormsApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def get_form(self, form_id: str) -> dict[str, Any]:
        """The ``Form`` resource (questions, settings) of ``form_id``."""
        form = self._get_json(self._form_url(form_id), form_id, params=None)
        if not isinstance(form, dict):
            raise FormsApiError(
                f"Forms API returned a {type(form).__name__} instead of a Form object "
                f"for form {form_id}",
                form_id=form_id,
                url=self._form_url(form_id),
            )
        return form

    def iter_response_pages(self, form_id: str, since: str | None = None) -> Iterator[ResponsePage]:
        """Yield response pages of ``form_id``, optionally only those submitted at/after ``since``.

        ``since`` becomes ``timestamp >= since`` rather than ``>``: landing is idempotent, and a
        response submitted in the same instant as the watermark must not be skipped.
        """
        url = f"{self._form_url(form_id)}/responses"
        params: dict[str, str | int] = {"pageSize": self.config.page_size}
        if since:
            params["filter"] = f"timestamp >= {since}"
        page_number = 0
        empty_in_a_row = 0
        seen_tokens: set[str] = set()
        while True:
            page_number += 1
            page = self._to_page(
                self._get_json(url, form_id, params=params), form_id, page_number, url
            )
            token = page.next_page_token
            empty = not (page.responses or page.broken_records or page.unreadable_records)
            yield page
            # Not kept while the next page is fetched: the caller decides how long it lives.
            del page
            if token is None:
                return
            empty_in_a_row = empty_in_a_row + 1 if empty else 0
            if empty_in_a_row >= MAX_EMPTY_PAGES_IN_A_ROW:
                raise FormsApiError(
                    f"Forms API served {empty_in_a_row} empty pages in a row for form {form_id} "
                    f"up to page {page_number}, each with a nextPageToken; stopping",
                    form_id=form_id,
                    url=url,
                )
            if token in seen_tokens:
                raise FormsApiError(
                    f"Forms API repeated pageToken {token!r} for form {form_id} "
                    f"at page {page_number}; stopping to avoid an endless loop",
                    form_id=form_id,
                    url=url,
                )
            seen_tokens.add(token)
            params["pageToken"] = token

    # -- internals -------------------------------------------------------------------------

    def _form_url(self, form_id: str) -> str:
        return f"{self.config.base_url.rstrip('/')}/v1/forms/{quote(form_id, safe='')}"

    @staticmethod
    def _to_page(body: Any, form_id: str, page_number: int, url: str) -> ResponsePage:
        if not isinstance(body, dict):
            raise FormsApiError(
                f"Forms API page {page_number} of form {form_id} is a {type(body).__name__}, "
                "not a JSON object",
                form_id=form_id,
                url=url,
            )
        elements = body.get("responses")
        token = body.get("nextPageToken")
        for name, value, expected in (
            ("responses", elements, list),
            ("nextPageToken", token, str),
        ):
            if value is not None and not isinstance(value, expected):
                raise FormsApiError(
                    f"Forms API page {page_number} of form {form_id}: {name} is a "
                    f"{type(value).__name__}, not a {expected.__name__}; the page cannot be "
                    "read, so nothing of it is landed",
                    form_id=form_id,
                    url=url,
                )
        responses: list[dict[str, Any]] = []
        broken: list[str] = []
        unreadable: list[UnreadableRecord] = []
        for element in elements or []:
            if isinstance(element, dict):
                responses.append(element)
            elif isinstance(element, str):
                broken.append(element)
            elif isinstance(element, UnreadableRecord):
                unreadable.append(element)
            else:
                unreadable.append(_unreadable(element))
        return ResponsePage(
            form_id=form_id,
            page_number=page_number,
            responses=responses,
            broken_records=broken,
            next_page_token=token or None,
            unreadable_records=unreadable,
        )

    def _get_json(self, url: str, form_id: str, params: Mapping[str, str | int] | None) -> Any:
        """One GET, retried by the adapter's :class:`FormsRetry`; the JSON body or an error."""
        attempts = self.config.max_retries + 1
        headers = {
            "Authorization": f"Bearer {self.config.bearer_token()}",
            "Accept": "application/json",
        }
        try:
            response = self._session.get(
                url, params=params, headers=headers, timeout=self.config.timeout_seconds
            )
        except requests.RequestException as exc:
            raise FormsApiError(
                f"Forms API request for form {form_id} failed after {attempts} attempts; "
                f"last error: {type(exc).__name__}: {exc} ({url})",
                form_id=form_id,
                url=url,
            ) from exc
        if response.status_code in RETRYABLE_STATUSES:
            # Retry gave the last answer back: every attempt was refused.
            raise FormsApiError(
                f"Forms API request for form {form_id} failed after {attempts} attempts; "
                f"last error: HTTP {response.status_code}: {_error_detail(response)} ({url})",
                status_code=response.status_code,
                form_id=form_id,
                url=url,
            )
        if response.status_code >= 400:
            raise self._fatal_error(response, form_id)
        try:
            with cyclic_gc_paused():
                return decoded_body(response)
        except ValueError as exc:
            raise FormsApiError(
                f"Forms API returned a body that is not JSON for form {form_id} "
                f"(HTTP {response.status_code}, {response.url})",
                status_code=response.status_code,
                form_id=form_id,
                url=response.url,
            ) from exc

    def _fatal_error(self, response: requests.Response, form_id: str) -> FormsApiError:
        status = response.status_code
        detail = _error_detail(response)
        if status == 401:
            message = (
                f"Forms API rejected the bearer token for form {form_id} (HTTP 401 at "
                f"{response.url}): the token is missing or invalid. Configure it with the Airflow "
                f"connection '{AIRFLOW_CONNECTION_ID}' or the environment variable {TOKEN_ENV}."
            )
        elif status == 403:
            message = (
                f"Forms API denied access to form {form_id} (HTTP 403 at {response.url}): "
                f"the token's account cannot read this form. Server said: {detail}"
            )
        elif status == 404:
            message = (
                f"Form {form_id} was not found by the Forms API (HTTP 404 at {response.url}); "
                f"check the form id. Server said: {detail}"
            )
        else:
            message = (
                f"Forms API rejected the request for form {form_id} (HTTP {status} at "
                f"{response.url}): {detail}"
            )
        return FormsApiError(message, status_code=status, form_id=form_id, url=response.url)


def _unreadable(element: Any) -> UnreadableRecord:
    """A ``responses`` element that is no object, kept as its JSON text for the vault."""
    detail = f"response is {_json_kind(element)}, not an object"
    try:
        raw = json.dumps(element, ensure_ascii=True)
    except RecursionError:
        # msgspec reads a few levels deeper than json writes: msgspec writes it back.
        raw = msgspec.json.encode(element).decode("utf-8")
    return UnreadableRecord(raw, "malformed_record", detail)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else f"a {type(value).__name__}"
