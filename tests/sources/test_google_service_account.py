"""Service-account access to the Forms API: google-auth's JWT-bearer grant, for real.

The demo server plays Google's token endpoint with the public half of a throw-away key, so
the signing, the token exchange and the bearer header are google-auth's own code paths.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.sources.google_auth import ServiceAccountAuthError, ServiceAccountTokens
from impact_warehouse.sources.google_forms import (
    FormsApiClient,
    FormsApiConfig,
    forms_api_config_from_env,
)

FORM_ID = "formServiceAccount"
CLIENT_EMAIL = "impact-reader@demo-project.iam.gserviceaccount.com"


def _key_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


def _key_info(private_pem: str, token_uri: str) -> dict[str, Any]:
    # The fields of a key file downloaded from Google Cloud console.
    return {
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": "0123456789abcdef",
        "private_key": private_pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "100000000000000000001",
        "token_uri": token_uri,
    }


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, str]:
    return _key_pair()


@pytest.fixture
def server(tmp_path: Path, key_pair: tuple[str, str]) -> Iterator[FormsApiServer]:
    (tmp_path / "forms").mkdir()
    (tmp_path / "responses").mkdir()
    form = {"formId": FORM_ID, "info": {"title": "survey"}, "items": []}
    (tmp_path / "forms" / f"{FORM_ID}.json").write_text(json.dumps(form), encoding="utf-8")
    response = {
        "formId": FORM_ID,
        "responseId": "r1",
        "createTime": "2026-01-20T10:00:00Z",
        "lastSubmittedTime": "2026-01-20T10:00:00Z",
        "answers": {},
    }
    (tmp_path / "responses" / f"{FORM_ID}.jsonl").write_text(
        json.dumps(response) + "\n", encoding="utf-8"
    )
    # The static token is unknown to the client: only an issued access token gets in.
    with FormsApiServer(
        tmp_path, token=secrets.token_urlsafe(16), service_account_public_key=key_pair[1]
    ) as running:
        yield running


def test_a_service_account_key_gets_a_token_and_reads_forms(
    server: FormsApiServer, key_pair: tuple[str, str]
) -> None:
    tokens = ServiceAccountTokens(_key_info(key_pair[0], f"{server.url}/token"))
    config = FormsApiConfig(base_url=server.url, token_source=tokens)
    with FormsApiClient(config) as client:
        assert client.get_form(FORM_ID)["formId"] == FORM_ID
        pages = list(client.iter_response_pages(FORM_ID))
    assert [response["responseId"] for page in pages for response in page.responses] == ["r1"]
    token_requests = [entry for entry in server.request_log if entry[:2] == ("POST", "/token")]
    # One token for all calls: google-auth reuses it until it nears expiry.
    assert token_requests == [("POST", "/token", 200)]
    assert len(server.issued_access_tokens) == 1


def test_the_key_file_is_read_from_the_environment_form(
    server: FormsApiServer, key_pair: tuple[str, str], tmp_path: Path
) -> None:
    key_file = tmp_path / "forms-service-account.json"
    key_file.write_text(json.dumps(_key_info(key_pair[0], f"{server.url}/token")))
    config = forms_api_config_from_env(
        {"IMPACT_FORMS_API_URL": server.url, "IMPACT_FORMS_API_KEY_FILE": str(key_file)}
    )
    with FormsApiClient(config) as client:
        assert client.get_form(FORM_ID)["formId"] == FORM_ID


def test_a_key_the_token_endpoint_does_not_trust_fails_with_the_account_named(
    server: FormsApiServer,
) -> None:
    other_private, _ = _key_pair()
    tokens = ServiceAccountTokens(_key_info(other_private, f"{server.url}/token"))
    config = FormsApiConfig(base_url=server.url, token_source=tokens)
    with FormsApiClient(config) as client, pytest.raises(ServiceAccountAuthError) as raised:
        client.get_form(FORM_ID)
    assert CLIENT_EMAIL in str(raised.value)
    assert "invalid_grant" in str(raised.value)


def test_a_file_that_is_not_a_service_account_key_is_refused_before_any_request(
    tmp_path: Path,
) -> None:
    user_credentials = tmp_path / "client_secret.json"
    user_credentials.write_text(json.dumps({"installed": {"client_id": "x"}}))
    with pytest.raises(ServiceAccountAuthError, match="not a Google service-account key"):
        ServiceAccountTokens.from_file(user_credentials)


def test_the_airflow_connection_can_carry_the_key(
    server: FormsApiServer, key_pair: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from impact_warehouse.orchestration.airflow_support import forms_api_config

    key_info = _key_info(key_pair[0], f"{server.url}/token")
    connection = {"conn_type": "http", "host": server.url, "extra": {"keyfile_dict": key_info}}
    monkeypatch.setenv("AIRFLOW_CONN_IMPACT_FORMS_API", json.dumps(connection))
    config = forms_api_config()
    assert config.token_source is not None and not config.token
    with FormsApiClient(config) as client:
        assert client.get_form(FORM_ID)["formId"] == FORM_ID
