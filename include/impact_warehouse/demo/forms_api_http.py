"""The demo Forms API server's HTTP side: routes a request to :class:`FormsApiServer`, plays
an injected fault, and answers in Google's wire format (status, headers, error bodies)."""

from __future__ import annotations

import json
import logging
import re
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from impact_warehouse.demo.forms_api_faults import FAULT_STATUSES, format_seconds
from impact_warehouse.demo.forms_api_paging import ApiError

if TYPE_CHECKING:
    from impact_warehouse.demo.forms_api_server import FormsApiServer

# The server's loggers stay one name, so DEBUG on the server shows its requests too.
logger = logging.getLogger("impact_warehouse.demo.forms_api_server")

FORM_PATH = re.compile(r"/v1/forms/(?P<form_id>[^/]+)(?P<responses>/responses)?/?")


def error_body(error: ApiError) -> bytes:
    body = {"error": {"code": error.code, "message": error.message, "status": error.status}}
    return json.dumps(body).encode("utf-8")


def make_handler(server: FormsApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_FormsApiHandler):
        api = server

    return Handler


class _FormsApiHandler(BaseHTTPRequestHandler):
    api: FormsApiServer
    # HTTP/1.1 so clients can keep connections alive across pages, as with Google.
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (40 ms on Linux) on every kept-alive request, which
    # made a demo pull of 19 waves spend ~0.9 s waiting on loopback.
    disable_nagle_algorithm = True
    server_version = "ImpactFormsApiDemo/1.0"

    def do_GET(self) -> None:
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (typically its timeout fired during an injected delay).
            logger.debug("Client disconnected before the response to %s was sent", self.path)

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/token":
            self._send_json(404, error_body(ApiError(404, "NOT_FOUND", f"POST {self.path}")))
            return
        length = int(self.headers.get("Content-Length") or 0)
        status, body = self.api.issue_access_token(self.rfile.read(length))
        self._send_json(status, body)

    def _serve(self) -> None:
        fault = self.api.next_fault()
        self.api.pause(self.api.faults.delay_every_request)
        if fault == "slow":
            self.api.pause(self.api.faults.slow_seconds)
        elif fault != "ok":
            self._send_fault(int(fault))
            return
        try:
            self.api.check_token(self.headers.get("Authorization"))
            body = self._route()
        except ApiError as error:
            self._send_json(error.code, error_body(error))
            return
        self._send_json(200, body)

    def _route(self) -> bytes:
        parts = urlsplit(self.path)
        match = FORM_PATH.fullmatch(parts.path)
        if match is None:
            raise ApiError(404, "NOT_FOUND", f"Unknown path {parts.path!r}.")
        form_id = match.group("form_id")
        if match.group("responses"):
            query = parse_qs(parts.query, keep_blank_values=True)
            return self.api.responses_page(form_id, query)
        return self.api.form_path(form_id).read_bytes()

    def _send_fault(self, code: int) -> None:
        error = ApiError(code, FAULT_STATUSES[code], f"Injected fault {code} for {self.path}.")
        headers = {}
        if code == 429:
            headers["Retry-After"] = format_seconds(self.api.faults.retry_after_seconds)
        self._send_json(code, error_body(error), headers)

    def _send_json(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.api.record(self.command, self.path, code)
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        if code == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="forms-api-demo"')
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet unless someone turns on DEBUG for this module; the benchmark makes 200+ calls.
        logger.debug("%s - %s", self.address_string(), format % args)
