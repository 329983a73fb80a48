"""Where alerts go: a local outbox file (default), mail, webhooks (Slack, Teams, LINE, …).

Mail and webhooks are sent through Airflow's notifiers (``SmtpNotifier``, ``AppriseNotifier``;
see :mod:`impact_warehouse.notify.notifiers`), except a plain http(s) webhook apprise does not
know: it gets one Slack-style JSON POST, retried by ``urllib3.Retry``. Their settings come from
the Airflow connections ``impact_smtp``, ``impact_alert_webhook`` and (channel ``apprise``) an
apprise connection, ``impact_apprise`` unless ``IMPACT_APPRISE_CONN_ID`` names another, when
they are defined (metadata database, secrets backend or ``AIRFLOW_CONN_*``), else from the
``IMPACT_SMTP_*`` / ``IMPACT_ALERT_*`` variables. Inside an organisation's scope each
connection id ends in ``__<code>`` (``impact_smtp__<code>``): one organisation's alerts
never reach another's recipients. Secrets (SMTP password, webhook URL, which
carries its own token) are never logged and never appear in exception messages or reprs.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from impact_warehouse.http_retry import RETRYABLE_STATUSES, LoggedRetry
from impact_warehouse.notify.notifiers import AlertDeliveryError, send_apprise, send_mail
from impact_warehouse.organisations import scoped_airflow_id
from impact_warehouse.settings import paths

log = logging.getLogger(__name__)

CHANNEL_NAMES = ("outbox", "smtp", "webhook", "apprise")
SMTP_CONNECTION_ID = "impact_smtp"
WEBHOOK_CONNECTION_ID = "impact_alert_webhook"
APPRISE_CONNECTION_ID = "impact_apprise"

__all__ = [
    "CHANNEL_NAMES",
    "AlertConfigError",
    "AlertDeliveryError",
    "AppriseChannel",
    "Channel",
    "OutboxChannel",
    "SmtpChannel",
    "WebhookChannel",
    "channels_from_env",
]


class AlertConfigError(ValueError):
    """A channel is enabled but not configured; the message names the variable to set."""


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

    path: Path = field(default_factory=lambda: paths().work / "outbox" / "alerts.jsonl")
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


def channels_from_env(
    environ: Mapping[str, str] | None = None, *, outbox: Path | None = None
) -> list[Channel]:
    """Channels named in ``IMPACT_ALERT_CHANNELS`` (comma list, default ``outbox``); the outbox
    channel writes to ``outbox`` (default ``<work>/outbox/alerts.jsonl``)."""
    environ = os.environ if environ is None else environ
    names = [
        name.strip().lower()
        for name in environ.get("IMPACT_ALERT_CHANNELS", "outbox").split(",")
        if name.strip()
    ]
    channels: list[Channel] = []
    for name in names:
        if name == "outbox":
            channels.append(OutboxChannel(outbox) if outbox else OutboxChannel())
        elif name == "smtp":
            connection_id = scoped_airflow_id(SMTP_CONNECTION_ID, environ)
            connection = airflow_connection(connection_id)
            channels.append(
                _smtp_from_connection(connection, environ, connection_id)
                if connection
                else _smtp_from_env(environ)
            )
        elif name == "webhook":
            connection = airflow_connection(scoped_airflow_id(WEBHOOK_CONNECTION_ID, environ))
            url = (connection.password or connection.host or "") if connection else ""
            channels.append(
                WebhookChannel(
                    url=url or _required(environ, "IMPACT_ALERT_WEBHOOK_URL", channel="webhook")
                )
            )
        elif name == "apprise":
            # IMPACT_APPRISE_CONN_ID is an organisation's own setting inside its scope.
            connection_id = environ.get("IMPACT_APPRISE_CONN_ID", "").strip() or scoped_airflow_id(
                APPRISE_CONNECTION_ID, environ
            )
            if airflow_connection(connection_id) is None:
                raise AlertConfigError(
                    f"alert channel 'apprise' is enabled in IMPACT_ALERT_CHANNELS but the Airflow "
                    f"connection {connection_id} (type apprise, extra 'config' with the apprise "
                    f"URLs) is not defined; define it (e.g. AIRFLOW_CONN_"
                    f"{connection_id.upper()}) or remove 'apprise' from IMPACT_ALERT_CHANNELS"
                )
            channels.append(AppriseChannel(connection_id))
        else:
            raise AlertConfigError(
                f"IMPACT_ALERT_CHANNELS names unknown channel {name!r}; use {CHANNEL_NAMES}"
            )
    return channels


def _required(environ: Mapping[str, str], variable: str, *, channel: str) -> str:
    value = environ.get(variable, "").strip()
    if not value:
        raise AlertConfigError(
            f"alert channel '{channel}' is enabled in IMPACT_ALERT_CHANNELS but {variable} "
            f"is not set; set {variable} or remove '{channel}' from IMPACT_ALERT_CHANNELS"
        )
    return value


def airflow_connection(connection_id: str) -> Any | None:
    """The Airflow connection if one is defined, else None (also outside Airflow)."""
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None
    try:
        return Connection.get(connection_id)
    except Exception:  # not defined: each secrets backend raises its own error
        return None


def _addresses(text: str | list[str]) -> tuple[str, ...]:
    items = text if isinstance(text, list) else text.split(",")
    return tuple(address.strip() for address in items if address.strip())


def _is_true(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def _smtp_from_connection(
    connection: Any, environ: Mapping[str, str], connection_id: str = SMTP_CONNECTION_ID
) -> SmtpChannel:
    """host, port, login, password; extra ``from``, ``to`` (comma list), ``starttls``, ``ssl``.

    ``from`` and ``to`` fall back to IMPACT_ALERT_FROM / IMPACT_ALERT_TO.
    """
    if not connection.host:
        raise AlertConfigError(
            f"Airflow connection {connection_id} has no host; set the SMTP server there"
        )
    extra = connection.extra_dejson
    starttls = _is_true(extra.get("starttls", False))
    return SmtpChannel(
        host=connection.host,
        port=int(connection.port or (587 if starttls else 25)),
        sender=str(extra.get("from") or "").strip()
        or _required(environ, "IMPACT_ALERT_FROM", channel="smtp"),
        recipients=_addresses(
            extra.get("to") or _required(environ, "IMPACT_ALERT_TO", channel="smtp")
        ),
        user=connection.login or None,
        password=connection.password or None,
        starttls=starttls,
        ssl=_is_true(extra.get("ssl", False)),
    )


def _smtp_from_env(environ: Mapping[str, str]) -> SmtpChannel:
    host = _required(environ, "IMPACT_SMTP_HOST", channel="smtp")
    sender = _required(environ, "IMPACT_ALERT_FROM", channel="smtp")
    recipients = tuple(
        address.strip()
        for address in _required(environ, "IMPACT_ALERT_TO", channel="smtp").split(",")
        if address.strip()
    )
    starttls = environ.get("IMPACT_SMTP_STARTTLS", "false").strip().lower() in (
        "1",
        "true",
        "yes",
    )
    port_text = environ.get("IMPACT_SMTP_PORT", "").strip() or ("587" if starttls else "25")
    if not port_text.isdigit():
        raise AlertConfigError(f"IMPACT_SMTP_PORT={port_text!r} is not a port number")
    user = environ.get("IMPACT_SMTP_USER", "").strip() or None
    password = environ.get("IMPACT_SMTP_PASSWORD") or None
    if user and not password:
        _required(environ, "IMPACT_SMTP_PASSWORD", channel="smtp")
    return SmtpChannel(
        host=host,
        port=int(port_text),
        sender=sender,
        recipients=recipients,
        user=user,
        password=password,
        starttls=starttls,
        ssl=_is_true(environ.get("IMPACT_SMTP_SSL", "false")),
    )
