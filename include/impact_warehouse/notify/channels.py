"""Where alerts go: a local outbox file (default), mail, webhooks (Slack, Teams, LINE, …).

Mail and webhooks are sent through Airflow's notifiers (``SmtpNotifier``, ``AppriseNotifier``;
see :mod:`impact_warehouse.notify.notifiers`), except a plain http(s) webhook apprise does not
know: it gets one Slack-style JSON POST, retried by ``urllib3.Retry``. Which channels are on,
and their settings, is read by :mod:`impact_warehouse.notify.channel_config`. Secrets (SMTP
password, webhook URL, which carries its own token) are never logged and never appear in
exception messages or reprs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from impact_warehouse.http_retry import RETRYABLE_STATUSES, LoggedRetry
from impact_warehouse.notify.notifiers import AlertDeliveryError, send_apprise, send_mail

log = logging.getLogger(__name__)

# AppriseChannel's default; an organisation's scope adds its suffix (channel_config).
APPRISE_CONNECTION_ID = "impact_apprise"

__all__ = [
    "AlertDeliveryError",
    "AppriseChannel",
    "Channel",
    "OutboxChannel",
    "SmtpChannel",
    "WebhookChannel",
]


class Message(Protocol):
    """One alert (``RenderedAlert``) or the digest of a run (``AlertDigest``)."""

    subject: str
    body: str

    def records(self) -> list[dict[str, Any]]: ...


class Channel(Protocol):
    name: str

    def send(self, rendered: Message) -> None: ...


@dataclass
class OutboxChannel:
    """Appends one JSON line per alert (a digest's alerts carry its id and subject): the
    demo's channel, and the record ``impact status`` reads of what was sent."""

    path: Path  # the installation's Settings.outbox / "alerts.jsonl"
    name: str = "outbox"

    def send(self, rendered: Message) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(
            json.dumps(record, ensure_ascii=False, default=str) + "\n"
            for record in rendered.records()
        )
        # One write: a crash never leaves half of a digest in the outbox.
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)


@dataclass
class SmtpChannel:
    """Mail through Airflow's ``SmtpNotifier`` (see :mod:`impact_warehouse.notify.notifiers`)."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0
    # Implicit TLS (SMTPS, usually port 465); STARTTLS is ``starttls``.
    ssl: bool = False
    name: str = "smtp"

    def send(self, rendered: Message) -> None:
        send_mail(
            host=self.host,
            port=self.port,
            sender=self.sender,
            recipients=self.recipients,
            subject=rendered.subject,
            body=rendered.body,
            user=self.user,
            password=self.password,
            starttls=self.starttls,
            ssl=self.ssl,
            timeout=self.timeout,
        )


@dataclass
class WebhookChannel:
    """A webhook: an apprise URL through Airflow's ``AppriseNotifier``, or a plain one.

    ``url`` is either an apprise URL (``slack://``, ``msteams://``, ``line://``, ``json://``, …;
    https URLs apprise knows natively, such as Slack's and Teams' incoming webhooks, too),
    sent once, or any other http(s) URL, which gets the Slack-compatible
    ``{"text": "*subject*\\nbody"}`` the project always sent in one POST, retried ``retries``
    times on 429/5xx or a refused connection by ``urllib3.Retry`` (the Forms client's
    :class:`~impact_warehouse.http_retry.LoggedRetry`). After that the alert queue retries on
    the next run.
    """

    url: str = field(repr=False)
    timeout: float = 10.0
    retries: int = 1
    # urllib3 retries once at once; from the second retry it waits 0.5 s, 1 s, … (capped).
    backoff_seconds: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    name: str = "webhook"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.rsplit("@", 1)[-1]

    def send(self, rendered: Message) -> None:
        if is_plain_webhook(self.url):
            self._post_text(f"*{rendered.subject}*\n{rendered.body}")
            return
        send_apprise(
            subject=rendered.subject,
            body=rendered.body,
            where=self.host,
            url=self.url,
            secrets=_secrets(self.url),
        )

    def _post_text(self, text: str) -> None:
        retry = LoggedRetry(
            total=self.retries,
            # A POST that may have arrived (read timeout) is not sent twice. A refused
            # connection or a 429/5xx answer is sent again: a 502/504 may hide a delivered
            # message, and staff would rather read an alert twice than not at all.
            read=0,
            status_forcelist=RETRYABLE_STATUSES,
            allowed_methods=frozenset({"POST"}),
            backoff_factor=self.backoff_seconds,
            raise_on_status=False,
            service=f"webhook to {self.host}",
            logger=log,
            log_url=False,  # the path is the webhook's token
            sleep=self.sleep,
            retry_after_max=30.0,
        )
        with requests.Session() as session:
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
            try:
                with _RedactedPoolLog(_secrets(self.url)):
                    response = session.post(self.url, json={"text": text}, timeout=self.timeout)
            except requests.RequestException as error:
                # requests' error texts hold the URL, i.e. the token: the host and type only.
                raise AlertDeliveryError(
                    f"webhook to {self.host} failed: {type(error).__name__}"
                ) from None
        if response.status_code >= 400:
            error = AlertDeliveryError(
                f"webhook to {self.host} answered HTTP {response.status_code}"
            )
            error.status = response.status_code  # type: ignore[attr-defined]
            raise error


@dataclass
class AppriseChannel:
    """The services of an Airflow apprise connection (its ``config`` extra lists apprise URLs
    with tags): ``AppriseNotifier(apprise_conn_id=...)`` as Airflow documents it."""

    connection_id: str = APPRISE_CONNECTION_ID
    name: str = "apprise"

    def send(self, rendered: Message) -> None:
        send_apprise(
            subject=rendered.subject,
            body=rendered.body,
            where=f"the services of connection {self.connection_id}",
            connection_id=self.connection_id,
        )


def is_plain_webhook(url: str) -> bool:
    """An http(s) URL apprise does not know: it gets the Slack-style ``{"text": ...}`` POST.

    Services apprise knows (Slack's and Teams' webhooks, Discord, …) keep their own format.
    """
    import apprise

    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return False  # an apprise URL: slack://, msteams://, line://, json://, …
    return apprise.Apprise.instantiate(url) is None


class _RedactedPoolLog(logging.Filter):
    """While installed, urllib3's own retry lines ("Retrying (…) after connection broken by
    …: /services/…", "Incremented Retry for (url='/services/…')") are logged without the
    webhook's path, which is its token. A logger's filter sees only its own records, so it
    goes on each urllib3 logger that names the request path."""

    _loggers = (
        logging.getLogger("urllib3.connectionpool"),
        logging.getLogger("urllib3.util.retry"),
    )

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in sorted(self._secrets, key=len, reverse=True):
                message = message.replace(secret, "[webhook path]")
            record.msg, record.args = message, None
        return True

    def __enter__(self) -> _RedactedPoolLog:
        for logger in self._loggers:
            logger.addFilter(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for logger in self._loggers:
            logger.removeFilter(self)


def _secrets(url: str) -> tuple[str, ...]:
    """The parts of a webhook URL that may be its token: never in an error text."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if len(segment) >= 4]
    return (url, parts.password or "", parts.query, *segments)
