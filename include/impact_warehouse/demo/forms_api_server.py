"""A local HTTP server that speaks the read-only part of the Google Forms API v1.

The demo and the tests run the production connector (:mod:`impact_warehouse.sources.google_forms`)
against this server instead of Google, so the connector's paging, filtering, auth and retry code
paths are exercised for real, over HTTP, with no cloud account.

Data layout under ``source_dir``::

    forms/<formId>.json        a ``Form`` resource exactly as ``forms.get`` returns it
    responses/<formId>.jsonl   one ``FormResponse`` object per line

Endpoints (paths as Google's)::

    GET /v1/forms/{formId}
    GET /v1/forms/{formId}/responses?pageSize=&pageToken=&filter=
    POST /token        OAuth 2.0 JWT-bearer grant for a service account (see below)

Behaviour mirrors Google where the connector depends on it:

* ``Authorization: Bearer <token>`` is required (401 ``UNAUTHENTICATED`` otherwise); unknown
  forms give 404 ``NOT_FOUND``; bad arguments give 400 ``INVALID_ARGUMENT``. Error bodies have
  Google's shape ``{"error": {"code", "message", "status"}}``.
* ``filter`` accepts exactly ``timestamp > N`` and ``timestamp >= N`` (N in RFC3339) and is
  compared with ``lastSubmittedTime``.
* ``pageSize`` defaults to 5000 and larger values are clamped to 5000; ``pageToken`` is opaque
  and bound to the filter it was issued for. (Inside, it is a position in the sorted responses,
  so responses appended with later timestamps do not disturb paging already in progress.)
* ``responses`` is omitted when a page is empty and ``nextPageToken`` on the last page.
* Responses are ordered by ``(lastSubmittedTime, responseId)`` so paging is stable.

Demo-only behaviour, which Google does not have:

* **Corrupted records.** A line of the responses file that is not a JSON object is served
  verbatim as a JSON *string* element of the ``responses`` array, e.g.
  ``{"responses": [{...}, "{\\"formId\\": \\"abc\\", \\"resp"]}``. The page stays valid JSON
  while the client still sees the damaged record and can quarantine it. Blank lines are
  ignored. An object nested too deep for Python's parser is served as it is (the client
  must read the rest of the page all the same). A corrupted line is ordered by
  the ``lastSubmittedTime`` text it still contains, or else right after the record that
  precedes it in the file.
* **Fault injection** (:class:`FaultPlan`): scripted 429/5xx answers and slow responses.
* **Visibility horizon** (``visible_until``): responses submitted after it are hidden, which
  lets a test make responses "arrive" over time without rewriting files.
* **Token endpoint.** Given a service account's public key, ``POST /token`` plays Google's
  OAuth token endpoint (``https://oauth2.googleapis.com/token``): it verifies the signed
  assertion (RS256, audience Google's token endpoint, the Forms responses scope) and issues a
  short-lived access token the API then accepts. A key file whose ``token_uri`` points here
  lets the real service-account code path (google-auth) run end to end on loopback.

Run it from the command line::

    IMPACT_FORMS_API_TOKEN=secret python -m impact_warehouse.demo.forms_api_server \\
        --source-dir .work/demo_sources --port 8085 --fail 429,503
"""

from __future__ import annotations

import base64
import bisect
import hmac
import json
import logging
import os
import re
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import parse_qs

from impact_warehouse.demo.forms_api_faults import FaultPlan
from impact_warehouse.demo.forms_api_http import make_handler
from impact_warehouse.demo.forms_api_paging import (
    ApiError,
    FormResponses,
    ResponseFilter,
    as_array_element,
    decode_page_token,
    encode_page_token,
    index_responses,
    parse_filter,
    parse_page_size,
    parse_rfc3339_ns,
    sort_key_from_ns,
)

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_ENV = "IMPACT_FORMS_API_TOKEN"
GOOGLE_TOKEN_ENDPOINT = "https://oauth2.googleapis.com/token"

_FORM_ID = re.compile(r"[A-Za-z0-9_-]+")


class FormsApiServer:
    """The fake Forms API on a background thread. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        source_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str,
        faults: FaultPlan | None = None,
        visible_until: str | None = None,
        service_account_public_key: str | None = None,
        access_token_seconds: int = 3600,
    ) -> None:
        if not token:
            raise ValueError("FormsApiServer needs a non-empty token")
        self.source_dir = Path(source_dir)
        self.token = token
        self.service_account_public_key = service_account_public_key
        self.access_token_seconds = access_token_seconds
        self.issued_access_tokens: dict[str, datetime] = {}
        self.faults = faults or FaultPlan()
        self.request_log: list[tuple[str, str, int]] = []
        self._visible_until: str | None = None
        self._visible_until_key: bytes | None = None
        self.visible_until = visible_until
        self._lock = threading.Lock()
        self._form_locks: dict[str, threading.Lock] = {}
        self._cache: dict[str, FormResponses] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._httpd = ThreadingHTTPServer((host, port), make_handler(self))

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def visible_until(self) -> str | None:
        return self._visible_until

    @visible_until.setter
    def visible_until(self, value: str | None) -> None:
        # Parse before assigning so a bad value leaves the previous horizon in place.
        horizon = None if value is None else sort_key_from_ns(parse_rfc3339_ns(value))
        self._visible_until, self._visible_until_key = value, horizon

    def start(self) -> FormsApiServer:
        if self._thread is not None:
            raise RuntimeError(f"FormsApiServer at {self.url} is already started")
        # A short poll interval keeps stop() fast; the default 0.5 s adds up over a test suite.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"forms-api-{self.url}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        # Wake handlers sleeping in an injected delay so they do not outlive the server.
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FormsApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- used by the request handler -------------------------------------------------------

    def check_token(self, authorization: str | None) -> None:
        scheme, _, presented = (authorization or "").partition(" ")
        presented = presented.strip()
        issued_until = self.issued_access_tokens.get(presented)
        valid = scheme.lower() == "bearer" and (
            hmac.compare_digest(presented.encode("utf-8"), self.token.encode("utf-8"))
            or (issued_until is not None and datetime.now(UTC) < issued_until)
        )
        if not valid:
            raise ApiError(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. "
                "Expected 'Authorization: Bearer <token>' with a valid token.",
            )

    def issue_access_token(self, form_body: bytes) -> tuple[int, bytes]:
        """The JWT-bearer grant (RFC 7523) as Google's token endpoint answers it."""
        import jwt  # PyJWT, only needed when a test plays a service account

        fields = parse_qs(form_body.decode("utf-8"))
        grant_type = _single(fields, "grant_type")
        assertion = _single(fields, "assertion") or ""
        if grant_type != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r}")
        if self.service_account_public_key is None:
            return 400, _oauth_error("invalid_client", "this server has no service account")
        try:
            claims = jwt.decode(
                assertion,
                self.service_account_public_key,
                algorithms=["RS256"],
                # google-auth signs for Google's endpoint whatever the key's token_uri says.
                audience=[f"{self.url}/token", GOOGLE_TOKEN_ENDPOINT],
                options={"require": ["iss", "aud", "exp", "iat", "scope"]},
            )
        except jwt.InvalidTokenError as exc:
            return 400, _oauth_error("invalid_grant", f"Invalid JWT Signature or claims: {exc}")
        if "https://www.googleapis.com/auth/forms.responses.readonly" not in claims["scope"]:
            return 400, _oauth_error("invalid_scope", f"scope {claims['scope']!r}")
        access_token = base64.urlsafe_b64encode(os.urandom(24)).decode("ascii")
        expires = datetime.now(UTC) + timedelta(seconds=self.access_token_seconds)
        with self._lock:
            self.issued_access_tokens[access_token] = expires
        body = {
            "access_token": access_token,
            "expires_in": self.access_token_seconds,
            "token_type": "Bearer",
        }
        return 200, json.dumps(body).encode("utf-8")

    def next_fault(self) -> str:
        with self._lock:
            return self.faults.scripted.pop(0) if self.faults.scripted else "ok"

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.request_log.append((method, path, status))

    def form_path(self, form_id: str) -> Path:
        path = self.source_dir / "forms" / f"{form_id}.json"
        if not _FORM_ID.fullmatch(form_id) or not path.is_file():
            raise ApiError(404, "NOT_FOUND", f"Requested entity was not found: form {form_id!r}.")
        return path

    def responses_page(self, form_id: str, query: dict[str, list[str]]) -> bytes:
        self.form_path(form_id)
        flt = parse_filter(_single(query, "filter"))
        page_size = parse_page_size(_single(query, "pageSize"))
        token = _single(query, "pageToken")
        offset = decode_page_token(token, flt) if token else 0
        path = self.source_dir / "responses" / f"{form_id}.jsonl"
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return _page_body([], False, "")
        # Index and lines come from the same open file, so a file replaced mid-request
        # cannot mix the old index with the new content.
        with handle:
            data = self._index(form_id, handle, path)
            start = max(self._filter_start(data.timestamps, flt), offset)
            end = len(data.timestamps)
            if self._visible_until_key is not None:
                end = bisect.bisect_right(data.timestamps, self._visible_until_key)
            stop = min(start + page_size, end)
            lines = data.read_lines(handle, start, stop) if start < stop else []
        return _page_body(lines, stop < end, encode_page_token(stop, flt))

    @staticmethod
    def _filter_start(timestamps: list[bytes], flt: ResponseFilter | None) -> int:
        if flt is None:
            return 0
        if flt.op == ">":
            return bisect.bisect_right(timestamps, flt.sort_key)
        return bisect.bisect_left(timestamps, flt.sort_key)

    def _index(self, form_id: str, handle: BinaryIO, path: Path) -> FormResponses:
        stat = os.fstat(handle.fileno())
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            form_lock = self._form_locks.setdefault(form_id, threading.Lock())
        # One lock per form: concurrent first pages of a big file must not index it twice.
        with form_lock:
            cached = self._cache.get(form_id)
            if cached is None or cached.stamp != stamp:
                cached = index_responses(handle, stamp, path)
                self._cache[form_id] = cached
            return cached


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _page_body(lines: list[bytes], has_more: bool, next_token: str) -> bytes:
    # Assembled from stored bytes so a page costs O(page size), not a re-serialisation.
    parts: list[bytes] = []
    if lines:
        parts.append(b'"responses":[' + b",".join(map(as_array_element, lines)) + b"]")
    if has_more:
        parts.append(b'"nextPageToken":' + json.dumps(next_token).encode("ascii"))
    return b"{" + b",".join(parts) + b"}"


def _oauth_error(error: str, description: str) -> bytes:
    return json.dumps({"error": error, "error_description": description}).encode("utf-8")


if __name__ == "__main__":
    # The command line lives in forms_api_cli; `python -m` of this module stays the entry.
    from impact_warehouse.demo.forms_api_cli import main

    sys.exit(main())
