"""Access tokens for the real Google Forms API from a service-account key (google-auth).

Google's Forms API takes OAuth 2.0 access tokens, which live for an hour. A service account
gets them with the JWT-bearer grant: it signs a short assertion with its private key and
trades it at the key file's ``token_uri``. google-auth does the signing, the exchange and the
expiry bookkeeping; :class:`ServiceAccountTokens` only adapts it to the connector, which asks
for a bearer token before each request.

The service account must be able to read the forms: share each form (or the Drive folder
holding them) with the account's ``client_email`` as a viewer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
from google.oauth2 import service_account

# Read-only scopes: the form definitions (questions) and the responses. Nothing else.
FORMS_SCOPES: tuple[str, ...] = (
    "https://www.googleapis.com/auth/forms.body.readonly",
    "https://www.googleapis.com/auth/forms.responses.readonly",
)


class ServiceAccountAuthError(RuntimeError):
    """The key cannot be used or the token endpoint refused it; says which and what to do."""


class ServiceAccountTokens:
    """Callable returning a valid access token, refreshed by google-auth when it nears expiry."""

    def __init__(self, key_info: Mapping[str, Any], scopes: Sequence[str] = FORMS_SCOPES) -> None:
        missing = [
            key for key in ("client_email", "private_key", "token_uri") if not key_info.get(key)
        ]
        if key_info.get("type") != "service_account" or missing:
            raise ServiceAccountAuthError(
                "The Forms API key is not a Google service-account key "
                f"(type={key_info.get('type')!r}, missing fields: {', '.join(missing) or 'none'}). "
                "Download a JSON key for the service account in Google Cloud console "
                "(IAM → Service accounts → Keys)."
            )
        try:
            self._credentials = service_account.Credentials.from_service_account_info(
                dict(key_info), scopes=list(scopes)
            )
        except ValueError as exc:
            raise ServiceAccountAuthError(
                f"The service-account key of {key_info['client_email']} cannot be read: {exc}"
            ) from exc
        self.client_email = str(key_info["client_email"])
        self._request = google.auth.transport.requests.Request()
        # Tasks may share one connector across threads; one refresh at a time.
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path, scopes: Sequence[str] = FORMS_SCOPES) -> ServiceAccountTokens:
        try:
            key_info = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ServiceAccountAuthError(
                f"Cannot read the service-account key file {path}: {exc}"
            ) from exc
        return cls(key_info, scopes)

    def __call__(self) -> str:
        with self._lock:
            if not self._credentials.valid:
                try:
                    self._credentials.refresh(self._request)
                except google.auth.exceptions.GoogleAuthError as exc:
                    raise ServiceAccountAuthError(
                        f"Google refused an access token for service account {self.client_email} "
                        f"({exc}). Check that the key is not revoked and that the account may "
                        "use the Forms API scopes."
                    ) from exc
            return str(self._credentials.token)
